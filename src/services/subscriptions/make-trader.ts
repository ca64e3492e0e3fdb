import { eq } from 'drizzle-orm';
import { users } from '../../db/schema';
import type { ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';
import { lockUserByEmail, requireSystem, userByEmailSchema } from './admin';

export type MakeTraderResult = { userId: string; email: string; alreadyTrader: boolean };

/** Admin: make the user with this email a trader (what they can do themselves from their profile). */
export async function makeTrader({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { email: string } | unknown;
}): Promise<MakeTraderResult> {
  requireSystem(ctx);
  const { email } = parseInput(userByEmailSchema, input);
  return inTransaction(ctx, async (tx) => {
    const user = await lockUserByEmail(tx, email);
    if (!user.isTrader) await tx.update(users).set({ isTrader: true }).where(eq(users.id, user.id));
    return { userId: user.id, email: user.email, alreadyTrader: user.isTrader };
  });
}
