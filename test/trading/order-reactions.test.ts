/**
 * What follows an order's change is a list of reactions (src/services/order-reactions.ts), run
 * in the transaction that changed the orders: a reaction sees the change before anyone else
 * does, a reaction that fails undoes the change with everything the others did, and the whole
 * takes a fixed number of statements however many orders change at once.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema';
import type { ServiceContext } from '../../src/services/context';
import { type ChangedOrder, ORDER_REACTIONS, type OrderReaction } from '../../src/services/order-reactions';
import { applyOrderUpdates, type OrderUpdate } from '../../src/services/trading/apply-order-update';
import { silentLogger } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import {
  createAccount,
  createPosition,
  createTrade,
  createUser,
  type TradeInput,
} from '../helpers/factories';

const t = useTestDatabase();

function systemCtx(db: ServiceContext['db'] = t.db): ServiceContext {
  return { db, actor: { type: 'system', job: 'test' }, now: () => new Date(), log: silentLogger() };
}

/** A working order of a new user (a trader with a follower when asked). */
async function workingOrder(options: { followed?: boolean } & Partial<TradeInput> = {}) {
  const { followed, ...input } = options;
  const user = await createUser(t.db, { isTrader: true });
  const account = await createAccount(t.db, user.id);
  const position = await createPosition(t.db, user.id);
  if (followed) {
    const follower = await createUser(t.db);
    await t.sql('INSERT INTO subscriptions (subscriber_id, trader_id) VALUES ($1, $2)', [
      follower.id,
      user.id,
    ]);
  }
  return createTrade(t.db, position, account.id, { action: 'buy', quantity: 3, ...input });
}

const fill = (tradeId: string, quantity = 3): OrderUpdate => ({
  tradeId,
  report: {
    status: quantity === 3 ? 'filled' : 'partial',
    filledQuantity: quantity,
    averageFillPrice: '1.25',
  },
  source: 'sync',
});

async function committed(tradeId: string) {
  const { rows } = await t.sql<{ status: string; events: number; jobs: string[] }>(
    `SELECT t.status,
            (SELECT count(*)::int FROM order_events e WHERE e.trade_id = t.id AND e.type <> 'created') AS events,
            ARRAY(SELECT k.identifier FROM graphile_worker._private_jobs j
                    JOIN graphile_worker._private_tasks k ON k.id = j.task_id
                   WHERE j.payload::text LIKE '%' || t.id || '%' OR j.key LIKE '%' || t.id
                   ORDER BY k.identifier) AS jobs
       FROM trades t WHERE t.id = $1`,
    [tradeId],
  );
  return rows[0];
}

describe('order reactions', () => {
  it('each area registers its reactions in one list', () => {
    expect(ORDER_REACTIONS.map((r) => r.name)).toEqual([
      'cancel-empty-positions',
      'mark-failed-copies',
      'mark-drifted-copies',
      'notify-order-changes',
      'refresh-balances',
      'schedule-order-sync',
      'fan-out-copyable-trades',
    ]);
  });

  it('a reaction runs inside the transaction: it sees the change, which is not yet visible outside', async () => {
    const order = await workingOrder();
    const seen: { orders: readonly ChangedOrder[]; inside: string; outside: string }[] = [];
    const watcher: OrderReaction = {
      name: 'watcher',
      async react({ tx, orders }) {
        const inside = await tx.query.trades.findFirst({ where: (r, { eq }) => eq(r.id, order.id) });
        const outside = await t.sql<{ status: string }>('SELECT status FROM trades WHERE id = $1', [
          order.id,
        ]);
        seen.push({ orders, inside: inside?.status ?? '', outside: outside.rows[0]?.status ?? '' });
      },
    };
    await applyOrderUpdates({ ctx: systemCtx(), input: { updates: [fill(order.id)] }, reactions: [watcher] });

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ inside: 'filled', outside: 'pending' });
    expect(seen[0]?.orders).toEqual([
      {
        before: expect.objectContaining({ id: order.id, status: 'pending', filledQuantity: 0 }),
        after: expect.objectContaining({ id: order.id, status: 'filled', filledQuantity: 3 }),
        changes: [{ type: 'filled', from: 'pending', to: 'filled' }],
        source: 'sync',
      },
    ]);
  });

  it('a reaction that throws rolls back the status change, its events and every other reaction', async () => {
    const order = await workingOrder({ followed: true });
    const failing: OrderReaction = {
      name: 'failing',
      react: async () => {
        throw new Error('reaction failed');
      },
    };
    await expect(
      applyOrderUpdates({
        ctx: systemCtx(),
        input: { updates: [fill(order.id)] },
        reactions: [...ORDER_REACTIONS, failing],
      }),
    ).rejects.toThrow('reaction failed');
    expect(await committed(order.id)).toEqual({ status: 'pending', events: 0, jobs: [] });

    // The registry alone: the fill commits with the owner's notification and the copy fan-out.
    await applyOrderUpdates({ ctx: systemCtx(), input: { updates: [fill(order.id)] } });
    expect(await committed(order.id)).toEqual({
      status: 'filled',
      events: 1,
      jobs: ['fan-out-copies'],
    });
    const notified = await t.sql("SELECT type FROM notifications WHERE data->>'tradeId' = $1", [order.id]);
    expect(notified.rows).toEqual([{ type: 'order_filled' }]);
  });

  it('takes the same number of statements for one order of each kind as for twenty of each', async () => {
    const statementsFor = async (perKind: number) => {
      const updates: OrderUpdate[] = [];
      for (let i = 0; i < perKind; i++) {
        const partial = await workingOrder();
        const followedFill = await workingOrder({ followed: true });
        const rejectedCopy = await workingOrder({ source: 'copy' });
        const unfilledCancel = await workingOrder();
        updates.push(
          fill(partial.id, 1),
          fill(followedFill.id),
          { tradeId: rejectedCopy.id, report: rejectedReport, source: 'placement' },
          { tradeId: unfilledCancel.id, report: cancelledReport, source: 'cancel' },
        );
      }
      let statements = 0;
      const logger = {
        logQuery: () => {
          statements += 1;
        },
      };
      const counting = drizzle(t.pool, { schema, logger });
      await applyOrderUpdates({ ctx: systemCtx(counting), input: { updates } });
      return statements;
    };
    const one = await statementsFor(1);
    expect(await statementsFor(20)).toBe(one);
  });
});

const rejectedReport = {
  status: 'rejected',
  filledQuantity: 0,
  averageFillPrice: null,
  reason: 'No buying power',
} as const;
const cancelledReport = { status: 'cancelled', filledQuantity: 0, averageFillPrice: null } as const;
