import { sql } from 'drizzle-orm';
import { discordDeliveryUrl, parseDiscordWebhookUrl } from '../../domain/discord-webhook';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { consumeRateLimit } from '../limits/consume-rate-limit';
import { DISCORD_RATE_LIMIT } from './deliver-discord';
import { type DeliveryDeps, postOutbound } from './deps';

/** A trader may try their webhook a few times a minute; Discord's own limit applies as well. */
const TEST_POSTS = { limit: 5, windowSeconds: 60 } as const;

/**
 * Post a test message to the trader's Discord webhook now, so they see where their fills will
 * appear. Like a fill, it goes to the canonical address on Discord and draws on the webhook's
 * rate limit; Discord's answer is told back: a deleted webhook (404) is removed.
 */
export async function testDiscordWebhook({
  ctx,
  deps,
}: {
  ctx: ServiceContext;
  deps: Pick<DeliveryDeps, 'discordApiBase' | 'requestTimeoutMs'>;
}): Promise<{ posted: true }> {
  const userId = requireUser(ctx);
  const { rows } = await ctx.db.execute<{ url: string | null }>(sql`
    SELECT discord_webhook_url AS url FROM users WHERE id = ${userId} AND deleted_at IS NULL`);
  const url = rows[0]?.url;
  const webhook = url ? parseDiscordWebhookUrl(url) : null;
  if (!url || !webhook?.ok) throw new AppError('PRECONDITION_FAILED', 'Set a Discord webhook first');

  for (const rule of [
    { key: `discord:test:${userId}`, ...TEST_POSTS },
    { key: `discord:webhook:${webhook.value.id}`, ...DISCORD_RATE_LIMIT },
  ]) {
    const budget = await consumeRateLimit({ ctx, input: rule });
    if (!budget.allowed) throw new AppError('LIMIT_EXCEEDED', 'Too many test posts; try again in a minute');
  }

  let response: Response;
  try {
    response = await postOutbound(deps, discordDeliveryUrl(webhook.value, deps.discordApiBase), {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'Alertsify',
        allowed_mentions: { parse: [] },
        content: 'Test post from Alertsify: your fills (buy to open, sell to close) will appear here.',
      }),
    });
  } catch {
    throw new AppError('PRECONDITION_FAILED', 'Discord did not answer; try again in a moment');
  }
  await response.body?.cancel();
  if (response.ok) return { posted: true };
  if (response.status === 404) {
    await ctx.db.execute(sql`
      UPDATE users SET discord_webhook_url = NULL WHERE id = ${userId} AND discord_webhook_url = ${url}`);
    throw new AppError(
      'PRECONDITION_FAILED',
      'Discord says this webhook no longer exists, so it was removed: create a new one in Discord and set it here',
    );
  }
  if (response.status === 429)
    throw new AppError('LIMIT_EXCEEDED', 'Discord asks to wait; try again in a minute');
  ctx.log.warn({ status: response.status }, 'Discord refused the test post');
  throw new AppError('PRECONDITION_FAILED', `Discord refused the test post (${response.status})`);
}
