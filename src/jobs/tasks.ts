import { and, eq } from 'drizzle-orm';
import type { Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { Database } from '../db/client';
import { accounts } from '../db/schema';
import type { Logger } from '../logger';
import { syncBalances } from '../services/accounts/sync-balances';
import type { ServiceContext } from '../services/context';
import { fanOutCopies } from '../services/copy/fan-out-copies';
import { lapseApprovals } from '../services/copy/lapse-approvals';
import { recoverFanOuts } from '../services/copy/recover-fan-outs';
import { notifyOrderUpdate, notifyPositionExpired } from '../services/notifications/notify-order-update';
import { ORDER_SYNC_INTERVAL_MS, type TradingDeps } from '../services/trading/deps';
import { expirePositions } from '../services/trading/expire-positions';
import { syncAccountOrders } from '../services/trading/sync-account-orders';
import { enqueue } from './queue';
import type { CronEntry } from './runner';

export type JobDeps = { db: Database; log: Logger; now: () => Date; trading: TradingDeps };

/** A task with its payload schema: a malformed payload fails the job instead of half-running. */
function task<S extends z.ZodType>(
  name: string,
  schema: S,
  deps: JobDeps,
  run: (ctx: ServiceContext, payload: z.output<S>) => Promise<void>,
): [string, Task] {
  return [
    name,
    async (raw, helpers) => {
      const payload = schema.parse(raw);
      const ctx: ServiceContext = {
        db: deps.db,
        actor: { type: 'system', job: name },
        now: deps.now,
        log: deps.log.child({ job: name, jobId: helpers.job.id }),
      };
      await run(ctx, payload);
    },
  ];
}

const changeSchema = z.enum(['partially_filled', 'filled', 'cancelled', 'rejected']);

export function buildTasks(deps: JobDeps): TaskList {
  return Object.fromEntries([
    task(
      'order-updated',
      z.object({ updates: z.array(z.object({ tradeId: z.string(), changes: z.array(changeSchema) })) }),
      deps,
      async (ctx, p) => {
        for (const update of p.updates) await notifyOrderUpdate({ ctx, input: update });
      },
    ),
    task('position-expired', z.object({ positionId: z.string() }), deps, (ctx, p) =>
      notifyPositionExpired({ ctx, input: p }),
    ),
    task('sync-account-orders', z.object({ accountId: z.string() }), deps, async (ctx, p) => {
      const result = await syncAccountOrders({ ctx, deps: deps.trading, input: p });
      if (result.stillWorking > 0) {
        // Nothing changed for some orders: look again in 15 s, never sooner (one job per account).
        await enqueue(ctx.db, 'sync-account-orders', p, {
          jobKey: `sync-account-orders:${p.accountId}`,
          jobKeyMode: 'preserve_run_at',
          runAt: new Date(ctx.now().getTime() + ORDER_SYNC_INTERVAL_MS),
        });
      }
    }),
    task('fan-out-copies', z.object({ tradeId: z.string() }), deps, async (ctx, p) => {
      const result = await fanOutCopies({ ctx, deps: deps.trading, input: p });
      if (result.decided > 0) ctx.log.info({ tradeId: p.tradeId, ...result }, 'copies fanned out');
    }),
    task('lapse-approvals', z.unknown(), deps, async (ctx) => {
      await lapseApprovals({ ctx });
    }),
    task('recover-fan-outs', z.unknown(), deps, async (ctx) => {
      await recoverFanOuts({ ctx, deps: deps.trading });
    }),
    task('expire-positions', z.unknown(), deps, async (ctx) => {
      const { expired } = await expirePositions({ ctx, deps: deps.trading });
      if (expired.length > 0) ctx.log.info({ expired: expired.length }, 'positions expired');
    }),
    task('sync-all-balances', z.unknown(), deps, async (ctx) => {
      const active = await ctx.db
        .select({ accountId: accounts.id })
        .from(accounts)
        .where(and(eq(accounts.isActive, true)));
      for (let i = 0; i < active.length; i += 500) {
        const accountIds = active.slice(i, i + 500).map((a) => a.accountId);
        await enqueue(ctx.db, 'sync-account-balances', { accountIds }, { maxAttempts: 3 });
      }
    }),
    task('sync-account-balances', z.object({ accountIds: z.array(z.string()) }), deps, async (ctx, p) => {
      for (const accountId of p.accountIds) {
        try {
          await syncBalances({ ctx, deps: deps.trading, input: { accountId } });
        } catch (error) {
          // One account's broker failing must not keep the others stale.
          ctx.log.warn({ accountId, err: error }, 'balance sync failed');
        }
      }
    }),
  ]);
}

/** Periodic work: expiry shortly after each close (and catch-up), balances every five minutes. */
export const CRON: CronEntry[] = [
  { task: 'lapse-approvals', pattern: '* * * * *' },
  { task: 'recover-fan-outs', pattern: '* * * * *' },
  { task: 'expire-positions', pattern: '*/5 * * * *' },
  { task: 'sync-all-balances', pattern: '*/5 * * * *' },
];
