import { sql } from 'drizzle-orm';
import type { FixedQuotes } from '../../src/broker/paper/quotes';
import { createPaperAccount } from '../../src/services/accounts/create-paper-account';
import type { ServiceContext } from '../../src/services/context';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import type { TradingDeps } from '../../src/services/trading/deps';
import { placeBto } from '../../src/services/trading/place-bto';
import { placeStc } from '../../src/services/trading/place-stc';
import { silentLogger, TestClock, testConfig, testTrading } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';

export const SYMBOL = 'AAPL  300118C00150000';
export const CONTRACT = {
  underlying: 'AAPL',
  optionType: 'call',
  strike: '150',
  expiration: '2030-01-18',
} as const;

export type CopyWorld = {
  t: TestDatabase;
  clock: TestClock;
  quotes: FixedQuotes;
  trading: TradingDeps;
  as: (userId: string) => ServiceContext;
  system: ServiceContext;
};

/** Trading over the paper broker with hand-set quotes, on a clock the test moves. */
export function copyWorld(t: TestDatabase, start = new Date('2026-11-24T15:00:00Z')): CopyWorld {
  const clock = new TestClock(start);
  const { quotes, trading } = testTrading(t.db, testConfig(), clock.now);
  quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
  const log = silentLogger();
  return {
    t,
    clock,
    quotes,
    trading,
    as: (userId) => ({ db: t.db, actor: { type: 'user', userId }, now: clock.now, log }),
    system: { db: t.db, actor: { type: 'system', job: 'test' }, now: clock.now, log },
  };
}

/** A user with a selected paper account (unless told otherwise). */
export async function trader(w: CopyWorld, cash = '1000000'): Promise<string> {
  const user = await createUser(w.t.db, { isTrader: true });
  await createPaperAccount({ ctx: w.as(user.id), input: { startingBalance: cash } });
  return user.id;
}

export async function subscriber(
  w: CopyWorld,
  traderId: string,
  settings: Record<string, unknown> = {},
  /** `userId`: an existing user subscribing to another trader. */
  options: { account?: boolean; status?: 'active' | 'paused' | 'cancelled'; userId?: string } = {},
): Promise<{ userId: string; subscriptionId: string }> {
  const user = options.userId ? { id: options.userId } : await createUser(w.t.db);
  if (options.account !== false)
    await createPaperAccount({ ctx: w.as(user.id), input: { startingBalance: '100000' } });
  const full = { autoExecute: true, maxPositionSize: 10, maxDailyTrades: 5, scalingFactor: 1, ...settings };
  const { rows } = await w.t.db.execute<{ id: string }>(sql`
    INSERT INTO subscriptions (subscriber_id, trader_id, settings, status)
    VALUES (${user.id}, ${traderId}, ${JSON.stringify(full)}::jsonb, ${options.status ?? 'active'}) RETURNING id`);
  const id = rows[0]?.id;
  if (!id) throw new Error('no subscription');
  return { userId: user.id, subscriptionId: id };
}

/** The trader buys at market and the fan-out runs (as its job would). */
export type Contract = { underlying: string; optionType: 'call' | 'put'; strike: string; expiration: string };

export async function traderBuys(
  w: CopyWorld,
  traderId: string,
  quantity: number,
  contract: Contract = CONTRACT,
) {
  const trade = await placeBto({
    ctx: w.as(traderId),
    deps: w.trading,
    input: { side: 'BTO', ...contract, quantity },
  });
  if (trade.status !== 'filled') throw new Error(`trader order ${trade.status}: ${trade.statusReason}`);
  const result = await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: trade.id } });
  return { trade, result };
}

export async function traderSells(w: CopyWorld, traderId: string, positionId: string, quantity: number) {
  const trade = await placeStc({
    ctx: w.as(traderId),
    deps: w.trading,
    input: { side: 'STC', positionId, quantity },
  });
  if (trade.status !== 'filled') throw new Error(`trader sell ${trade.status}: ${trade.statusReason}`);
  const result = await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: trade.id } });
  return { trade, result };
}

export type DecisionRow = {
  subscriber_id: string;
  outcome: string;
  reason: string | null;
  computed_quantity: number | null;
  copy_quantity: number | null;
  copy_status: string | null;
  copy_filled: number | null;
};

export async function decisions(w: CopyWorld, sourceTradeId: string): Promise<Map<string, DecisionRow>> {
  const { rows } = await w.t.db.execute<DecisionRow>(sql`
    SELECT d.subscriber_id, d.outcome, d.reason, d.computed_quantity, d.copy_quantity,
           c.status AS copy_status, c.filled_quantity AS copy_filled
      FROM subscription_trades d LEFT JOIN trades c ON c.id = d.copy_trade_id
     WHERE d.source_trade_id = ${sourceTradeId}`);
  return new Map(rows.map((r) => [r.subscriber_id, r]));
}
