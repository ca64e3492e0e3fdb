import { and, eq } from 'drizzle-orm';
import type { Task, TaskList } from 'graphile-worker';
import type { Database } from '../db/client';
import { accounts } from '../db/schema';
import type { Logger } from '../logger';
import type { Mailer } from '../mail/mailer';
import { syncBalances } from '../services/accounts/sync-balances';
import { refreshAnalytics } from '../services/analytics/refresh-analytics';
import { inBatches } from '../services/batches';
import { type ServiceContext, systemContext } from '../services/context';
import { cancelDriftCopies } from '../services/copy/cancel-drift-copies';
import { fanOutCopies } from '../services/copy/fan-out-copies';
import { lapseApprovals } from '../services/copy/lapse-approvals';
import { recoverFanOuts } from '../services/copy/recover-fan-outs';
import { pruneHousekeeping } from '../services/housekeeping/prune';
import { deliverDiscord } from '../services/notifications/deliver-discord';
import { deliverEmail } from '../services/notifications/deliver-email';
import { deliverPush } from '../services/notifications/deliver-push';
import type { DeliveryDeps } from '../services/notifications/deps';
import { notifyOrderUpdates, notifyPositionExpired } from '../services/notifications/notify-order-update';
import type { TradingDeps } from '../services/trading/deps';
import { expirePositions } from '../services/trading/expire-positions';
import { syncAccountOrders } from '../services/trading/sync-account-orders';
import { JOB_CATALOGUE, JOB_NAMES, type JobData, type JobName } from './catalogue';
import { enqueue, enqueueMany } from './queue';

export type JobDeps = {
  db: Database;
  log: Logger;
  now: () => Date;
  trading: TradingDeps;
  /** Push and Discord delivery. */
  delivery: DeliveryDeps;
  /** Where the `send-email` job sends. */
  mailer: Mailer;
};

type Handler<N extends JobName> = (ctx: ServiceContext, payload: JobData<N>, deps: JobDeps) => Promise<void>;

/** Accounts per balance job. */
const BALANCE_BATCH = 500;

/** What each job of the catalogue does: a job without a handler does not compile. */
const HANDLERS: { [N in JobName]: Handler<N> } = {
  'order-updated': (ctx, p) => notifyOrderUpdates({ ctx, input: p }),
  'position-expired': (ctx, p) => notifyPositionExpired({ ctx, input: p }),
  'sync-account-orders': async (ctx, p, deps) => {
    const result = await syncAccountOrders({ ctx, deps: deps.trading, input: p });
    // Nothing changed for some orders: look again after the interval, never sooner.
    if (result.stillWorking > 0) await enqueue(ctx.db, 'sync-account-orders', p, { now: ctx.now() });
  },
  'fan-out-copies': async (ctx, p, deps) => {
    const result = await fanOutCopies({ ctx, deps: deps.trading, input: p });
    if (result.decided > 0) ctx.log.info({ tradeId: p.tradeId, ...result }, 'copies fanned out');
  },
  'cancel-drift-copies': async (ctx, p, deps) => {
    await cancelDriftCopies({ ctx, deps: deps.trading, input: p });
  },
  'send-email': async (_ctx, p, deps) => {
    await deps.mailer.send(p);
  },
  'deregister-snaptrade-user': async (ctx, p, deps) => {
    if (!deps.trading.snaptrade) {
      ctx.log.warn(
        { snaptradeUserId: p.snaptradeUserId },
        'SnapTrade is not configured: user not deregistered',
      );
      return;
    }
    await deps.trading.snaptrade.deleteUser(p.snaptradeUserId);
  },
  'lapse-approvals': async (ctx) => {
    await lapseApprovals({ ctx });
  },
  'recover-fan-outs': async (ctx, _p, deps) => {
    await recoverFanOuts({ ctx, deps: deps.trading });
  },
  'expire-positions': async (ctx, _p, deps) => {
    const { expired } = await expirePositions({ ctx, deps: deps.trading });
    if (expired.length > 0) ctx.log.info({ expired: expired.length }, 'positions expired');
  },
  'refresh-analytics': async (ctx) => {
    const { durationMs } = await refreshAnalytics({ ctx });
    ctx.log.debug({ durationMs }, 'analytics refreshed');
  },
  'sync-all-balances': async (ctx) => {
    const active = await ctx.db
      .select({ accountId: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.isActive, true)));
    const batches = inBatches(
      active.map((a) => a.accountId),
      BALANCE_BATCH,
    );
    await enqueueMany(
      ctx.db,
      'sync-account-balances',
      batches.map((accountIds) => ({ accountIds })),
    );
  },
  'deliver-push': async (ctx, p, deps) => {
    const outcome = await deliverPush({ ctx, deps: deps.delivery, input: p });
    ctx.log.debug({ ...p, outcome }, 'push delivery');
  },
  'deliver-email': async (ctx, p, deps) => {
    const outcome = await deliverEmail({ ctx, deps, input: p });
    ctx.log.debug({ ...p, outcome }, 'email delivery');
  },
  'deliver-discord': async (ctx, p, deps) => {
    const outcome = await deliverDiscord({ ctx, deps: deps.delivery, input: p });
    ctx.log.debug({ ...p, outcome }, 'Discord delivery');
  },
  housekeeping: async (ctx) => {
    const pruned = await pruneHousekeeping({ ctx });
    if (pruned.rateLimits + pruned.liveEvents > 0) ctx.log.info(pruned, 'housekeeping pruned');
  },
  'sync-account-balances': async (ctx, p, deps) => {
    for (const accountId of p.accountIds) {
      try {
        await syncBalances({ ctx, deps: deps.trading, input: { accountId } });
      } catch (error) {
        // One account's broker failing must not keep the others stale.
        ctx.log.warn({ accountId, err: error }, 'balance sync failed');
      }
    }
  },
};

/** A job's task: a malformed payload fails the job instead of half-running. */
function taskFor<N extends JobName>(name: N, deps: JobDeps): Task {
  const { payload: schema } = JOB_CATALOGUE[name];
  const handle: Handler<N> = HANDLERS[name];
  return async (raw, helpers) => {
    const payload = schema.parse(raw);
    const log = deps.log.child({ job: name, jobId: helpers.job.id });
    await handle(systemContext({ db: deps.db, now: deps.now, log }, name), payload, deps);
  };
}

/** The worker's task list: every job of the catalogue with its handler. */
export function buildTasks(deps: JobDeps): TaskList {
  return Object.fromEntries(JOB_NAMES.map((name) => [name, taskFor(name, deps)]));
}
