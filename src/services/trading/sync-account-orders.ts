import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { type BucketLimit, createPgRateBudget } from '../../broker/rate-budget';
import { trades } from '../../db/schema';
import { isWorkingOrderStatus, WORKING_ORDER_STATUSES } from '../../domain/order-status';
import { checkSnaptradeConnection } from '../accounts/check-connection';
import type { ServiceContext } from '../context';
import { applyOrderUpdate, reportFromBrokerOrder } from './apply-order-update';
import type { TradingDeps } from './deps';
import { importOutsideOrders } from './import-outside-orders';
import { loadAccount } from './load-account';
import type { OrderUpdateSource } from './order-change';

/**
 * How often an order sync may ask SnapTrade how the account's connection is: once a minute per
 * account, shared by every process. Orders are polled every 15 s and each question is a request
 * against SnapTrade's per-minute limit; the balance job asks every five minutes as well.
 */
const CONNECTION_CHECK: BucketLimit = { capacity: 1, perSecond: 1 / 60, reserve: 0 };

/**
 * Bring an account's working orders up to date from one call to its broker's order history.
 * Run by the order-sync job (at most every 15 s per account) and on a SnapTrade webhook. On
 * SnapTrade, option orders placed at the broker itself are imported first, and a connection
 * found disabled marks the account `needs_reconnect`, as a balance sync does (PRODUCT.md §1a).
 */
export async function syncAccountOrders({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: { accountId: string; source?: OrderUpdateSource };
}): Promise<{ checked: number; changed: number; stillWorking: number }> {
  const account = await loadAccount(ctx.db, input.accountId);
  if (!account) return { checked: 0, changed: 0, stillWorking: 0 };
  const working = await ctx.db
    .select({ id: trades.id, brokerOrderId: trades.brokerOrderId })
    .from(trades)
    .where(
      and(
        eq(trades.accountId, account.id),
        inArray(trades.status, [...WORKING_ORDER_STATUSES]),
        isNotNull(trades.brokerOrderId),
      ),
    );
  const { broker, ref } = deps.brokers.forAccount(account);
  // Orders placed at the broker itself exist only on brokers we do not place every order at.
  const importsOutside = account.provider === 'snaptrade' && account.isActive === true;
  if (working.length === 0 && !importsOutside) return { checked: 0, changed: 0, stillWorking: 0 };

  // The orders of a disabled connection are SnapTrade's cached state: say it needs reconnecting.
  if (
    importsOutside &&
    (await createPgRateBudget({ db: ctx.db }).tryTake(
      `snaptrade:connection-check:${account.id}`,
      CONNECTION_CHECK,
    ))
  ) {
    await checkSnaptradeConnection({ ctx, deps, input: { account, ref } });
  }
  const listed = await broker.listOrders(ref);
  const reported = new Map(listed.map((order) => [order.brokerOrderId, order]));
  if (importsOutside) await importOutsideOrders({ ctx, input: { account, orders: listed } });
  let changed = 0;
  let stillWorking = 0;
  for (const order of working) {
    const brokerOrder = order.brokerOrderId ? reported.get(order.brokerOrderId) : undefined;
    if (!brokerOrder) {
      stillWorking += 1;
      continue;
    }
    const result = await applyOrderUpdate({
      ctx,
      input: {
        tradeId: order.id,
        report: reportFromBrokerOrder(brokerOrder),
        source: input.source ?? 'sync',
      },
    });
    if (result.changes.length > 0) changed += 1;
    if (isWorkingOrderStatus(result.trade.status)) stillWorking += 1;
  }
  return { checked: working.length, changed, stillWorking };
}
