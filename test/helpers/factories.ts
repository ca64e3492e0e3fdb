import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/client';
import type { Account, ParentTrade, Trade, User } from '../../src/db/schema';
import { accounts, parentTrades, trades, users } from '../../src/db/schema';

const unique = () => randomBytes(5).toString('hex');

export async function createUser(
  db: Database,
  overrides: Partial<typeof users.$inferInsert> = {},
): Promise<User> {
  const tag = unique();
  const [user] = await db
    .insert(users)
    .values({ email: `user-${tag}@example.test`, name: `User ${tag}`, username: `user_${tag}`, ...overrides })
    .returning();
  if (!user) throw new Error('user not created');
  return user;
}

export async function createAccount(
  db: Database,
  userId: string,
  overrides: Partial<typeof accounts.$inferInsert> = {},
): Promise<Account> {
  const tag = unique();
  const [account] = await db
    .insert(accounts)
    .values({
      userId,
      brokerName: 'Paper',
      brokerSlug: 'paper',
      accountNumber: `PAPER-${tag}`,
      snaptradeAccountId: `paper-${tag}`,
      snaptradeAuthorizationId: `paper-${tag}`,
      provider: 'paper',
      balance: '100000.00',
      buyingPower: '100000.00',
      ...overrides,
    })
    .returning();
  if (!account) throw new Error('account not created');
  return account;
}

/** An open position on AAPL 2030-01-18 150 C unless told otherwise. */
export async function createPosition(
  db: Database,
  userId: string,
  overrides: Partial<typeof parentTrades.$inferInsert> = {},
): Promise<ParentTrade> {
  const [position] = await db
    .insert(parentTrades)
    .values({
      userId,
      underlying: 'AAPL',
      optionType: 'call',
      strike: '150',
      expiration: '2030-01-18',
      symbol: 'AAPL  300118C00150000',
      ...overrides,
    })
    .returning();
  if (!position) throw new Error('position not created');
  return position;
}

export type TradeInput = {
  action: 'buy' | 'sell';
  quantity: number;
  /** Defaults to `quantity` when a price is given, else 0. */
  filledQuantity?: number;
  price?: string;
  status?: Trade['status'];
  filledAt?: Date;
} & Partial<typeof trades.$inferInsert>;

export async function createTrade(
  db: Database,
  position: Pick<ParentTrade, 'id' | 'userId'>,
  accountId: string,
  input: TradeInput,
): Promise<Trade> {
  const { price, filledQuantity, ...rest } = input;
  const filled = filledQuantity ?? (price ? input.quantity : 0);
  const [trade] = await db
    .insert(trades)
    .values({
      parentTradeId: position.id,
      userId: position.userId,
      accountId,
      orderType: 'Market',
      filledQuantity: filled,
      filledPrice: price,
      status: input.status ?? (filled === input.quantity ? 'filled' : filled > 0 ? 'partial' : 'pending'),
      filledAt: input.filledAt ?? (filled > 0 ? new Date() : undefined),
      ...rest,
    })
    .returning();
  if (!trade) throw new Error('trade not created');
  return trade;
}
