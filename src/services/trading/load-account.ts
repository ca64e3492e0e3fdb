import { and, eq, sql } from 'drizzle-orm';
import type { BrokerAccountSource } from '../../broker/registry';
import type { Executor } from '../../db/client';
import { type Account, accounts, users } from '../../db/schema';

export type AccountWithOwner = Account & BrokerAccountSource;

function toSource(row: {
  account: Account;
  snaptradeUserId: string | null;
  snaptradeUserSecret: string | null;
}) {
  return {
    ...row.account,
    owner: { snaptradeUserId: row.snaptradeUserId, snaptradeUserSecret: row.snaptradeUserSecret },
  };
}

const columns = {
  account: accounts,
  snaptradeUserId: users.snaptradeUserId,
  snaptradeUserSecret: users.snaptradeUserSecret,
};

function prepareSelected(db: Executor) {
  return db
    .select(columns)
    .from(accounts)
    .innerJoin(users, eq(users.id, accounts.userId))
    .where(
      and(
        eq(accounts.userId, sql.placeholder('userId')),
        eq(accounts.isSelected, true),
        eq(accounts.isActive, true),
      ),
    )
    .prepare('load_selected_account');
}

const preparedSelected = new WeakMap<Executor, ReturnType<typeof prepareSelected>>();

/**
 * The user's selected, active brokerage account, if any. Every order asks this, so it is one
 * prepared statement: built once per database handle, planned once per connection.
 */
export async function loadSelectedAccount(db: Executor, userId: string): Promise<AccountWithOwner | null> {
  let query = preparedSelected.get(db);
  if (!query) {
    query = prepareSelected(db);
    preparedSelected.set(db, query);
  }
  const [row] = await query.execute({ userId });
  return row ? toSource(row) : null;
}

/** One account by id, scoped to its owner when `userId` is given. */
export async function loadAccount(
  db: Executor,
  accountId: string,
  userId?: string,
): Promise<AccountWithOwner | null> {
  const [row] = await db
    .select(columns)
    .from(accounts)
    .innerJoin(users, eq(users.id, accounts.userId))
    .where(
      userId ? and(eq(accounts.id, accountId), eq(accounts.userId, userId)) : eq(accounts.id, accountId),
    );
  return row ? toSource(row) : null;
}
