import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { canonicalDiscordWebhookUrl, parseDiscordWebhookUrl } from '../../domain/discord-webhook';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';

export const discordWebhookInputSchema = z.object({
  url: z.string('is required').trim().min(1, 'is required').max(300, 'must be at most 300 characters'),
});

export type DiscordWebhookView = { url: string | null };

/** The signed-in user's Discord webhook, in its canonical form, or null. */
export async function getDiscordWebhook({ ctx }: { ctx: ServiceContext }): Promise<DiscordWebhookView> {
  const userId = requireUser(ctx);
  const { rows } = await ctx.db.execute<{ url: string | null }>(sql`
    SELECT discord_webhook_url AS url FROM users WHERE id = ${userId} AND deleted_at IS NULL`);
  return { url: rows[0]?.url ?? null };
}

/**
 * Set the trader's Discord webhook, where their fills are posted (PRODUCT.md §4). Only Discord's
 * webhook URLs are accepted; any other address is a 400 naming `url`. Traders only.
 */
export async function setDiscordWebhook({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: unknown;
}): Promise<DiscordWebhookView> {
  const userId = requireUser(ctx);
  const { url } = parseInput(discordWebhookInputSchema, input ?? {});
  const webhook = parseDiscordWebhookUrl(url);
  if (!webhook.ok) throw new AppError('VALIDATION', `url: ${webhook.error}`, { field: 'url' });
  const canonical = canonicalDiscordWebhookUrl(webhook.value);
  const { rows } = await ctx.db.execute<{ is_trader: boolean | null }>(sql`
    UPDATE users SET discord_webhook_url = CASE WHEN is_trader THEN ${canonical} ELSE discord_webhook_url END
     WHERE id = ${userId} AND deleted_at IS NULL
    RETURNING is_trader`);
  const row = rows[0];
  if (!row) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  if (!row.is_trader) {
    throw new AppError(
      'PRECONDITION_FAILED',
      'Only traders post their fills to Discord: become a trader first',
    );
  }
  return { url: canonical };
}

/** Stop posting to Discord. */
export async function removeDiscordWebhook({ ctx }: { ctx: ServiceContext }): Promise<DiscordWebhookView> {
  const userId = requireUser(ctx);
  await ctx.db.execute(sql`UPDATE users SET discord_webhook_url = NULL WHERE id = ${userId}`);
  return { url: null };
}
