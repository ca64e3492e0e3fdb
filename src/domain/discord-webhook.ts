/**
 * Discord webhook URLs (PRODUCT.md §4). A trader gives one; the server posts their fills to it.
 * Only Discord's own webhook addresses are accepted, and delivery rebuilds the URL from the id and
 * token alone (`https://discord.com/api/webhooks/<id>/<token>`), so nothing a user types can make
 * the server send a request anywhere else.
 */
import type { Result } from './errors';

/** Discord's hosts for the API: the main one, the old domain and the test clients' subdomains. */
const DISCORD_HOSTS: ReadonlySet<string> = new Set([
  'discord.com',
  'discordapp.com',
  'canary.discord.com',
  'ptb.discord.com',
  'canary.discordapp.com',
  'ptb.discordapp.com',
]);

/** Webhook ids are snowflakes; tokens are URL-safe base64 of around 68 characters. */
const WEBHOOK_PATH = /^\/api(?:\/v\d{1,2})?\/webhooks\/(\d{17,20})\/([A-Za-z0-9_-]{40,100})\/?$/;

export type DiscordWebhook = { id: string; token: string };

/** Where webhooks are posted, unless a test points delivery at a local receiver. */
export const DISCORD_API_BASE = 'https://discord.com';

/** The webhook of a URL a user gave, or why it is not one of Discord's. */
export function parseDiscordWebhookUrl(value: string): Result<DiscordWebhook, string> {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { ok: false, error: 'must be a URL' };
  }
  const notDiscord = {
    ok: false,
    error: 'must be a Discord webhook URL: https://discord.com/api/webhooks/<id>/<token>',
  } as const;
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '') {
    return notDiscord;
  }
  if (!DISCORD_HOSTS.has(url.hostname.toLowerCase())) return notDiscord;
  if (url.search !== '' || url.hash !== '') return notDiscord;
  const match = WEBHOOK_PATH.exec(url.pathname);
  const id = match?.[1];
  const token = match?.[2];
  if (!id || !token) return notDiscord;
  return { ok: true, value: { id, token } };
}

/** The one form stored and shown: on discord.com, without version or trailing slash. */
export function canonicalDiscordWebhookUrl(webhook: DiscordWebhook): string {
  return `${DISCORD_API_BASE}/api/webhooks/${webhook.id}/${webhook.token}`;
}

/** The address a post goes to: the canonical path on `base` (Discord's, or a test receiver's). */
export function discordDeliveryUrl(webhook: DiscordWebhook, base: string = DISCORD_API_BASE): string {
  return `${base.replace(/\/+$/, '')}/api/webhooks/${webhook.id}/${webhook.token}`;
}
