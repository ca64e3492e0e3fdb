import { and, eq } from 'drizzle-orm';
import type { BrokerAccountSource } from '../../broker/registry';
import type { Executor } from '../../db/client';
import { accounts, parentTrades, type Trade, trades, users } from '../../db/schema';

export type OrderWithAccount = {
  trade: Trade;
  symbol: string;
  account: BrokerAccountSource & { userId: string; isActive: boolean | null };
};

/** An order with its contract symbol and what its broker needs; scoped to a user when given. */
export async function loadOrder(
  db: Executor,
  tradeId: string,
  userId?: string,
): Promise<OrderWithAccount | null> {
  const [row] = await db
    .select({
      trade: trades,
      symbol: parentTrades.symbol,
      accountId: accounts.id,
      accountUserId: accounts.userId,
      provider: accounts.provider,
      snaptradeAccountId: accounts.snaptradeAccountId,
      isActive: accounts.isActive,
      snaptradeUserId: users.snaptradeUserId,
      snaptradeUserSecret: users.snaptradeUserSecret,
    })
    .from(trades)
    .innerJoin(parentTrades, eq(parentTrades.id, trades.parentTradeId))
    .innerJoin(accounts, eq(accounts.id, trades.accountId))
    .innerJoin(users, eq(users.id, accounts.userId))
    .where(userId ? and(eq(trades.id, tradeId), eq(trades.userId, userId)) : eq(trades.id, tradeId));
  if (!row) return null;
  return {
    trade: row.trade,
    symbol: row.symbol,
    account: {
      id: row.accountId,
      userId: row.accountUserId,
      provider: row.provider,
      snaptradeAccountId: row.snaptradeAccountId,
      isActive: row.isActive,
      owner: { snaptradeUserId: row.snaptradeUserId, snaptradeUserSecret: row.snaptradeUserSecret },
    },
  };
}
