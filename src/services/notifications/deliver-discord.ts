import { sql } from 'drizzle-orm';
import { discordFillMessage } from '../../domain/discord-embed';
import { discordDeliveryUrl, parseDiscordWebhookUrl } from '../../domain/discord-webhook';
import type { OrderAction } from '../../domain/vocabulary';
import { tradeSideOf } from '../../domain/vocabulary';
import { enqueue } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import { consumeRateLimit } from '../limits/consume-rate-limit';
import { inTransaction } from '../transaction';
import { type DeliveryDeps, DeliveryRetryError, postOutbound, retryAfterMs } from './deps';
import { notify } from './notify';
import { describeContract } from './notify-order-update';

export type DiscordOutcome =
  /** Discord took the post. */
  | 'posted'
  /** Nothing to post: no webhook any more, or the notification or its order is gone. */
  | 'skipped'
  /** Waiting for the webhook's rate limit (ours, or Discord's 429): queued again for later. */
  | 'deferred'
  /** Discord kept asking to wait: given up after MAX_DEFERRALS. */
  | 'gave_up'
  /** Discord says the webhook no longer exists: it was removed and the trader told. */
  | 'disabled'
  /** Refused for good (a bad request): not retried. */
  | 'rejected';

/**
 * Posts per webhook: Discord allows about 5 every 2 seconds per webhook; waiting here is cheaper
 * than being answered 429.
 */
export const DISCORD_RATE_LIMIT = { limit: 5, windowSeconds: 2 } as const;

/** How many times a post waits for the rate limit before it is given up. */
const MAX_DEFERRALS = 20;

type Row = {
  webhook_url: string | null;
  action: OrderAction;
  quantity: number;
  filled_quantity: number | null;
  filled_price: string | null;
  filled_at: string | null;
  pnl: string | null;
  pnl_percent: string | null;
  symbol: string;
  underlying: string;
  option_type: string;
  strike: string;
  expiration: string;
  avg_entry_price: string | null;
};

async function deferPost(
  ctx: ServiceContext,
  input: { notificationId: string; userId: string; attempt: number },
  delayMs: number,
): Promise<DiscordOutcome> {
  if (input.attempt >= MAX_DEFERRALS) {
    ctx.log.warn({ notificationId: input.notificationId }, 'Discord post given up after repeated waits');
    return 'gave_up';
  }
  await enqueue(
    ctx.db,
    'deliver-discord',
    { ...input, attempt: input.attempt + 1 },
    { delayMs: Math.max(1, Math.ceil(delayMs)), now: ctx.now() },
  );
  return 'deferred';
}

/**
 * Post a trader's fill to their Discord webhook as an embed (PRODUCT.md §4). The request goes to
 * the webhook's canonical address on Discord (never to a host the user typed). Rate limited per
 * webhook; Discord's 429 `Retry-After` is honoured by queueing the post again for then; a 404
 * (the webhook was deleted) removes the webhook and tells the trader; 5xx and network failures
 * fail the job so it is retried with backoff.
 */
export async function deliverDiscord({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: DeliveryDeps;
  input: { notificationId: string; userId: string; attempt: number };
}): Promise<DiscordOutcome> {
  const { rows } = await ctx.db.execute<Row>(sql`
    SELECT u.discord_webhook_url AS webhook_url, t.action, t.quantity, t.filled_quantity, t.filled_price,
           to_char(t.filled_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS filled_at, t.pnl, t.pnl_percent,
           p.symbol, p.underlying, p.option_type, p.strike, p.expiration::text AS expiration, p.avg_entry_price
      FROM notifications n
      JOIN users u ON u.id = n.user_id
      JOIN trades t ON t.id = n.data->>'tradeId' AND t.user_id = n.user_id
      JOIN parent_trades p ON p.id = t.parent_trade_id
     WHERE n.id = ${input.notificationId} AND n.user_id = ${input.userId}`);
  const row = rows[0];
  if (!row?.webhook_url || !row.filled_price) return 'skipped';
  const webhook = parseDiscordWebhookUrl(row.webhook_url);
  if (!webhook.ok) return 'skipped';

  const budget = await consumeRateLimit({
    ctx,
    input: { key: `discord:webhook:${webhook.value.id}`, ...DISCORD_RATE_LIMIT },
  });
  if (!budget.allowed) return deferPost(ctx, input, budget.resetAt.getTime() - ctx.now().getTime());

  const message = discordFillMessage({
    side: tradeSideOf(row.action),
    contract: describeContract({
      underlying: row.underlying,
      strike: row.strike,
      optionType: row.option_type,
      expiration: row.expiration,
    }),
    symbol: row.symbol,
    filledQuantity: row.filled_quantity ?? 0,
    quantity: row.quantity,
    fillPrice: row.filled_price,
    averageEntry: row.avg_entry_price,
    pnl: row.pnl,
    pnlPercent: row.pnl_percent,
    filledAt: row.filled_at ? new Date(row.filled_at) : ctx.now(),
  });
  let response: Response;
  try {
    response = await postOutbound(deps, discordDeliveryUrl(webhook.value, deps.discordApiBase), {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
  } catch (error) {
    throw new DeliveryRetryError(`Discord unreachable: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  if (response.status >= 200 && response.status < 300) return 'posted';
  if (response.status === 429) {
    // Discord says how long in Retry-After (seconds) and in the body (`retry_after`, seconds).
    const bodyWait = Number((JSON.parse(text || '{}') as { retry_after?: unknown }).retry_after);
    const wait = retryAfterMs(response, ctx.now()) ?? (Number.isFinite(bodyWait) ? bodyWait * 1000 : 1000);
    return deferPost(ctx, input, wait);
  }
  if (response.status === 404) {
    await disableWebhook(ctx, input.userId, row.webhook_url);
    return 'disabled';
  }
  if (response.status >= 500) throw new DeliveryRetryError(`Discord answered ${response.status}`);
  ctx.log.warn({ notificationId: input.notificationId, status: response.status }, 'Discord refused the post');
  return 'rejected';
}

/** The webhook was deleted in Discord: stop posting to it and tell the trader (once). */
async function disableWebhook(ctx: ServiceContext, userId: string, webhookUrl: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const { rows } = await tx.execute<{ id: string }>(sql`
      UPDATE users SET discord_webhook_url = NULL
       WHERE id = ${userId} AND discord_webhook_url = ${webhookUrl}
      RETURNING id`);
    if (rows.length === 0) return;
    await notify({
      tx,
      ctx,
      input: {
        userId,
        type: 'discord_webhook_disabled',
        title: 'Discord posting stopped',
        body: 'Discord says your webhook no longer exists, so your fills are no longer posted. Set a new webhook in Settings.',
        data: null,
      },
    });
  });
  ctx.log.info({ userId }, 'Discord webhook gone; removed');
}
