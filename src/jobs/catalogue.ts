/**
 * Every background job, once: its name, the payload it carries (a zod schema: `enqueue` refuses
 * a payload that does not match it, and the worker parses it again before the handler runs),
 * its key and its options. `enqueue` is typed by this file, so a wrong payload does not compile.
 *
 * A low layer: services import it to enqueue, the worker (src/jobs/tasks.ts) to run. It imports
 * nothing above the domain.
 */
import { z } from 'zod';
import type { OrderChangeEventType } from '../domain/order-status';

/** Order sync polls an account's broker no faster than this (PRODUCT.md §2). */
export const ORDER_SYNC_INTERVAL_MS = 15_000;

/**
 * The analytics refresh: one waiting at a time, due this long after the first close that asked
 * for it. The analytics migration's trigger function (analytics_request_refresh) adds this job
 * from SQL with the same name, key, queue and delay; test/analytics/refresh.test.ts holds them
 * together.
 */
export const ANALYTICS_REFRESH = { key: 'refresh-analytics', queue: 'analytics', delayMs: 10_000 } as const;

export type JobKeyMode = 'replace' | 'preserve_run_at';

export type JobDefinition<S extends z.ZodType> = {
  payload: S;
  /**
   * At most one waiting job per key: a later enqueue replaces it (or keeps its run time, see
   * keyMode). A job already running keeps going and the new one waits.
   */
  key?: (payload: z.output<S>) => string | undefined;
  /** 'preserve_run_at' keeps a waiting job's time: for "no faster than every N ms". */
  keyMode?: JobKeyMode;
  /** Run this long after it is enqueued instead of at once. */
  delayMs?: number;
  /** Attempts before the job is given up (graphile-worker's default, 25, when unset). */
  maxAttempts?: number;
  /** Jobs of one queue run one at a time, in order (a function: the queue depends on the payload). */
  queue?: string | ((payload: z.output<S>) => string | undefined);
};

function job<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

/** What a periodic job receives: graphile-worker's cron details, which no handler reads. */
const periodic = z.object({});

const ORDER_CHANGE_TYPES = [
  'partially_filled',
  'filled',
  'cancelled',
  'rejected',
] as const satisfies readonly OrderChangeEventType[];

const JOBS = {
  /**
   * Notify the owners of orders that changed. Nothing enqueues it any more (order notifications
   * are written in the transaction that changes the orders); kept so jobs a database queued
   * before that change still run.
   */
  'order-updated': job({
    payload: z.object({
      updates: z.array(z.object({ tradeId: z.string(), changes: z.array(z.enum(ORDER_CHANGE_TYPES)) })),
    }),
  }),
  /** Tell the owner that a position expired. */
  'position-expired': job({ payload: z.object({ positionId: z.string() }) }),
  /** Poll an account's working orders: one waiting sync per account, never sooner than 15 s. */
  'sync-account-orders': job({
    payload: z.object({ accountId: z.string() }),
    key: (p) => `sync-account-orders:${p.accountId}`,
    keyMode: 'preserve_run_at',
    delayMs: ORDER_SYNC_INTERVAL_MS,
  }),
  /**
   * Copy a trader's trade to every subscriber, as far as it has filled; one waiting fan-out per
   * trade, and one queue per trader position, so its fills are fanned out in the order they came.
   */
  'fan-out-copies': job({
    payload: z.object({ tradeId: z.string(), positionId: z.string().optional() }),
    key: (p) => `fan-out:${p.tradeId}`,
    queue: (p) => (p.positionId ? `copy:${p.positionId}` : undefined),
  }),
  /** A new subscription with `copyOpenPositions` copies the trader's open positions (PRODUCT.md §3). */
  'copy-open-positions': job({
    payload: z.object({ subscriptionId: z.string() }),
    key: (p) => `copy-open-positions:${p.subscriptionId}`,
  }),
  /** The drift guard's Limit copies still unfilled when their time is up are cancelled (PRODUCT.md §3). */
  'cancel-drift-copies': job({ payload: z.object({ tradeIds: z.array(z.string()) }), maxAttempts: 5 }),
  /**
   * Refresh the cached balances of accounts whose cash moved. One account's refresh is keyed by
   * it and waits a second: the orders that move the account meanwhile share that one refresh
   * (measured: a refresh per order cost a fifth of the BTO benchmark's throughput). A batch of
   * many accounts (a fan-out's) is not keyed.
   */
  'sync-account-balances': job({
    payload: z.object({ accountIds: z.array(z.string()) }),
    key: (p) => (p.accountIds.length === 1 ? `sync-account-balances:${p.accountIds[0]}` : undefined),
    keyMode: 'preserve_run_at',
    delayMs: 1000,
    maxAttempts: 3,
  }),
  /** One email; retried with graphile-worker's backoff when the SMTP server refuses or is down. */
  'send-email': job({
    payload: z.object({
      to: z.string(),
      subject: z.string(),
      text: z.string(),
      html: z.string(),
      headers: z.record(z.string(), z.string()).optional(),
    }),
    maxAttempts: 8,
  }),
  /** A deleted account's SnapTrade user, deregistered with retries after the deletion commits. */
  'deregister-snaptrade-user': job({ payload: z.object({ snaptradeUserId: z.string() }), maxAttempts: 10 }),
  'lapse-approvals': job({ payload: periodic }),
  /** Also enqueued when a worker starts: one waiting at a time. */
  'recover-fan-outs': job({ payload: periodic, key: () => 'recover-fan-outs' }),
  'expire-positions': job({ payload: periodic }),
  /** Refresh the analytics materialized views (debounced: closes within the delay share one). */
  'refresh-analytics': job({
    payload: periodic,
    key: () => ANALYTICS_REFRESH.key,
    keyMode: 'preserve_run_at',
    delayMs: ANALYTICS_REFRESH.delayMs,
    queue: ANALYTICS_REFRESH.queue,
  }),
  'sync-all-balances': job({ payload: periodic }),
  /**
   * Send one notification to one of the user's browsers (web push). Retried with backoff when the
   * push service fails or is busy; a subscription it says is gone is deleted.
   */
  'deliver-push': job({
    payload: z.object({ notificationId: z.string(), pushSubscriptionId: z.string() }),
    maxAttempts: 6,
  }),
  /** Email one notification to its user (a confirmed address; the channel may be off by then). */
  'deliver-email': job({ payload: z.object({ notificationId: z.string() }), maxAttempts: 8 }),
  /**
   * Post one fill to the trader's Discord webhook. One queue per trader, so posts to a webhook go
   * one at a time and in order; `attempt` counts the waits Discord asked for (429).
   */
  'deliver-discord': job({
    payload: z.object({
      notificationId: z.string(),
      userId: z.string(),
      attempt: z.number().int().min(1).default(1),
    }),
    queue: (p) => `discord:${p.userId}`,
    maxAttempts: 6,
  }),
  /** Prune expired rate-limit counters and live events older than a day. */
  housekeeping: job({ payload: periodic, key: () => 'housekeeping' }),
};

export type JobName = keyof typeof JOBS;
/** What `enqueue` accepts for a job. */
export type JobPayload<N extends JobName> = z.input<(typeof JOBS)[N]['payload']>;
/** What a job's handler receives (the payload after parsing). */
export type JobData<N extends JobName> = z.output<(typeof JOBS)[N]['payload']>;

/** The catalogue, typed per name so generic code keeps a job's payload tied to its name. */
export const JOB_CATALOGUE: { [N in JobName]: JobDefinition<z.ZodType<JobData<N>, JobPayload<N>>> } = JOBS;

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

export type PeriodicJob = { task: JobName; pattern: string };

/**
 * Periodic work: expiry shortly after each close (and catch-up), balances every five minutes,
 * analytics every minute (rolling windows move with time; anything a trigger did not ask for is
 * caught within the minute).
 */
export const CRON: readonly PeriodicJob[] = [
  { task: 'lapse-approvals', pattern: '* * * * *' },
  { task: 'refresh-analytics', pattern: '* * * * *' },
  { task: 'recover-fan-outs', pattern: '* * * * *' },
  { task: 'expire-positions', pattern: '*/5 * * * *' },
  { task: 'sync-all-balances', pattern: '*/5 * * * *' },
  { task: 'housekeeping', pattern: '*/10 * * * *' },
];
