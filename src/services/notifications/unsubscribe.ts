/**
 * One-click unsubscribe from one type of email, without signing in: the link carries the user,
 * the type and an HMAC of both under the server's secret, so it works only as we sent it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { mergePreferenceChanges } from '../../domain/notification-preferences';
import { NOTIFICATION_TYPES, type NotificationType } from '../../domain/vocabulary';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';

const signature = (secret: string, userId: string, type: NotificationType) =>
  createHmac('sha256', secret).update(`unsubscribe:${userId}:${type}`).digest('base64url');

export function unsubscribeUrl(
  deps: { publicUrl: string; linkSecret: string },
  input: { userId: string; type: NotificationType },
): string {
  const query = new URLSearchParams({
    user: input.userId,
    type: input.type,
    signature: signature(deps.linkSecret, input.userId, input.type),
  });
  return `${deps.publicUrl}/api/notifications/unsubscribe?${query}`;
}

export const unsubscribeSchema = z.object({
  user: z.string().min(1).max(100),
  type: z.enum(NOTIFICATION_TYPES),
  signature: z.string().min(1).max(100),
});

/** Turn off email for one type; the same answer whether it was on or already off. */
export async function unsubscribeEmail({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: { linkSecret: string };
  input: unknown;
}): Promise<{ type: NotificationType }> {
  const { user, type, signature: given } = parseInput(unsubscribeSchema, input);
  const expected = Buffer.from(signature(deps.linkSecret, user, type));
  const received = Buffer.from(given);
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    throw new AppError('VALIDATION', 'signature: this unsubscribe link is not one we sent', {
      field: 'signature',
    });
  }
  return inTransaction(ctx, async (tx) => {
    const { rows } = await tx.execute<{ preferences: unknown }>(sql`
      SELECT notification_preferences AS preferences FROM users
       WHERE id = ${user} AND deleted_at IS NULL FOR NO KEY UPDATE`);
    const row = rows[0];
    if (!row) throw new AppError('NOT_FOUND', 'Not found');
    const merged = mergePreferenceChanges(row.preferences, { [type]: { email: false } });
    await tx.execute(
      sql`UPDATE users SET notification_preferences = ${JSON.stringify(merged)}::jsonb WHERE id = ${user}`,
    );
    return { type };
  });
}
