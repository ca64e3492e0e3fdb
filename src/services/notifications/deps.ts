import type { Config, VapidKeys } from '../../config';

/** What delivering notifications beyond the app needs: push identity and where Discord is. */
export type DeliveryDeps = {
  /** VAPID (RFC 8292): the server's identity towards push services. */
  vapid: VapidKeys;
  /** Tests only: one more origin accepted as a push endpoint (a local push service). */
  pushTestOrigin: string | undefined;
  /** Discord's API origin, or a local receiver in tests. */
  discordApiBase: string;
  /** A push service or Discord that has not answered after this long is tried again later. */
  requestTimeoutMs: number;
  /** Where links in emails lead (PUBLIC_URL). */
  publicUrl: string;
  /** Signs the unsubscribe links in emails. */
  linkSecret: string;
};

export function deliveryDeps(
  config: Pick<Config, 'push' | 'discord' | 'publicUrl' | 'authSecret'>,
): DeliveryDeps {
  return {
    publicUrl: config.publicUrl,
    linkSecret: config.authSecret,
    vapid: config.push.vapid,
    pushTestOrigin: config.push.testOrigin,
    discordApiBase: config.discord.apiBase,
    requestTimeoutMs: 10_000,
  };
}

/**
 * POST to a push service or Discord. Redirects are not followed (an answer may not send the
 * server to another address); no answer within the timeout is an error, and the job retries.
 */
export function postOutbound(
  deps: Pick<DeliveryDeps, 'requestTimeoutMs'>,
  url: string,
  init: { headers: Record<string, string>; body: Buffer | string | null },
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: init.headers,
    body: typeof init.body === 'string' || init.body === null ? init.body : new Uint8Array(init.body),
    redirect: 'manual',
    signal: AbortSignal.timeout(deps.requestTimeoutMs),
  });
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), if the answer carries one. */
export function retryAfterMs(response: Response, now: Date): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** A push service or Discord failed or is busy: the job is retried with backoff. */
export class DeliveryRetryError extends Error {
  override name = 'DeliveryRetryError';
}
