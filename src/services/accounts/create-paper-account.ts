import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { openPaperAccount } from '../../broker/paper/paper-broker';
import { type Account, accounts } from '../../db/schema';
import { Dec, safeParseDecimal, toCents } from '../../domain/money';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';

export const createPaperAccountSchema = z.object({
  name: z.string().trim().min(1).max(60).optional(),
  startingBalance: z
    .union([z.string().trim(), z.number()])
    .transform((value) => String(value))
    .refine(
      (value) => {
        const parsed = safeParseDecimal(value, { sign: 'positive', maxDecimals: 2 });
        return parsed.ok && parsed.value.lte(10_000_000);
      },
      { message: 'must be a positive amount up to 10,000,000 with at most 2 decimals' },
    )
    .default('100000'),
});

/**
 * A built-in paper account with a starting cash balance. It becomes the selected account when
 * the user has none selected, so a new user can trade right away.
 */
export async function createPaperAccount({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: z.input<typeof createPaperAccountSchema> | unknown;
}): Promise<Account> {
  const userId = requireUser(ctx);
  const { name, startingBalance } = parseInput(createPaperAccountSchema, input ?? {});
  const cash = toCents(Dec(startingBalance));
  const reference = randomBytes(5).toString('hex').toUpperCase();
  return inTransaction(ctx, async (tx) => {
    const [selected] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.userId, userId), eq(accounts.isSelected, true), eq(accounts.isActive, true)));
    const [account] = await tx
      .insert(accounts)
      .values({
        userId,
        provider: 'paper',
        brokerName: 'Alertsify Paper',
        brokerSlug: 'paper',
        accountNumber: `PAPER-${reference}`,
        accountName: name ?? 'Paper account',
        accountType: 'margin',
        snaptradeAccountId: `paper-${reference}`,
        snaptradeAuthorizationId: 'paper',
        balance: cash,
        buyingPower: cash,
        isSelected: !selected,
        isActive: true,
        lastSyncAt: ctx.now(),
      })
      .returning();
    if (!account) throw new Error('account not created');
    await openPaperAccount(tx, account.id, cash);
    return account;
  });
}
