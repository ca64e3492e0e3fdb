/**
 * SnapTrade webhook verification (PRODUCT.md §2 "Order sync"): the `Signature` header is a base64
 * HMAC-SHA256 of the body keyed with our consumer key; events older than `maxAgeSeconds` are
 * refused so a captured webhook cannot be replayed later. Pure: the caller passes the raw body,
 * the header and the clock.
 *
 * SnapTrade computes the signature over the payload serialised with sorted keys and no
 * whitespace, and sends exactly that serialisation. We check the raw bytes first and, failing
 * that, the sorted re-serialisation of the parsed body, so a proxy that re-indents JSON does not
 * break verification. Both need the consumer key; neither accepts a body we cannot authenticate.
 */
import { hmacSha256Base64, signaturesEqual, sortedJson } from './signature';

/**
 * The SnapTrade event types we act on (its `docs/webhooks.md`), by what each needs to name: an
 * account, or a connection (`brokerageAuthorizationId`). There is no `TRADE_UPDATE` among them:
 * any other type is accepted and only logged.
 */
export const ACCOUNT_WEBHOOK_TYPES = {
  /** Orders changed (a trade was detected): sync that account's orders now. */
  TRADE_DETECTION: 'trade_detection',
  /** Positions, balances, orders refreshed at SnapTrade: refresh ours. */
  ACCOUNT_HOLDINGS_UPDATED: 'holdings_updated',
  ACCOUNT_REMOVED: 'account_removed',
  NEW_ACCOUNT_AVAILABLE: 'new_account',
} as const;
export const CONNECTION_WEBHOOK_TYPES = {
  CONNECTION_BROKEN: 'connection_broken',
  CONNECTION_FIXED: 'connection_fixed',
  CONNECTION_DELETED: 'connection_deleted',
} as const;
type AccountKind = (typeof ACCOUNT_WEBHOOK_TYPES)[keyof typeof ACCOUNT_WEBHOOK_TYPES];
type ConnectionKind = (typeof CONNECTION_WEBHOOK_TYPES)[keyof typeof CONNECTION_WEBHOOK_TYPES];

type WebhookCommon = {
  /** SnapTrade's `eventType`, as sent (`TRADE_DETECTION`, `CONNECTION_BROKEN`, `USER_REGISTERED`, ...). */
  type: string;
  webhookId: string | null;
  clientId: string | null;
  /** The SnapTrade user id (ours: we register users under our own user ids). */
  userId: string;
  /** SnapTrade account id, when the event is about one account. */
  accountId: string | null;
  /** The connection (`brokerage_authorization`) the event is about, when it says. */
  brokerageAuthorizationId: string | null;
  brokerageId: string | null;
  eventTimestamp: Date;
  details: Record<string, unknown> | null;
  /** The whole parsed body, for fields this type does not name. */
  payload: Record<string, unknown>;
};

export type SnapTradeWebhookEvent =
  | (WebhookCommon & { kind: AccountKind; accountId: string })
  | (WebhookCommon & { kind: ConnectionKind; brokerageAuthorizationId: string })
  /** A type we do not act on: accepted and logged. */
  | (WebhookCommon & { kind: 'other' });

export type WebhookVerification =
  | { ok: true; event: SnapTradeWebhookEvent }
  | { ok: false; reason: 'bad_signature' | 'stale' | 'malformed' };

export const DEFAULT_WEBHOOK_MAX_AGE_SECONDS = 300;

export function verifySnapTradeWebhook(input: {
  rawBody: string;
  signatureHeader: string | null | undefined;
  consumerKey: string;
  now: Date;
  maxAgeSeconds?: number;
}): WebhookVerification {
  const maxAgeSeconds = input.maxAgeSeconds ?? DEFAULT_WEBHOOK_MAX_AGE_SECONDS;
  const received = input.signatureHeader?.trim() ?? '';
  if (received === '' || input.consumerKey === '') return { ok: false, reason: 'bad_signature' };

  const parsed = parseJson(input.rawBody);
  const rawMatches = signaturesEqual(hmacSha256Base64(input.rawBody, input.consumerKey), received);
  const canonicalMatches =
    !rawMatches &&
    parsed.ok &&
    signaturesEqual(
      hmacSha256Base64(sortedJson(parsed.value, { asciiOnly: true }), input.consumerKey),
      received,
    );
  if (!rawMatches && !canonicalMatches) return { ok: false, reason: 'bad_signature' };
  if (!parsed.ok) return { ok: false, reason: 'malformed' };

  const event = toEvent(parsed.value);
  if (!event) return { ok: false, reason: 'malformed' };

  // A timestamp far in the future is refused too: it would otherwise stay "fresh" for as long as
  // its author wished.
  const ageMs = input.now.getTime() - event.eventTimestamp.getTime();
  if (Math.abs(ageMs) > maxAgeSeconds * 1000) return { ok: false, reason: 'stale' };
  return { ok: true, event };
}

/**
 * Serialises and signs a webhook payload the way SnapTrade does. For tests and the simulator;
 * send `body` verbatim with header `Signature: signature`.
 */
export function signSnapTradeWebhook(input: { payload: Record<string, unknown>; consumerKey: string }): {
  body: string;
  signature: string;
} {
  const body = sortedJson(input.payload, { asciiOnly: true });
  return { body, signature: hmacSha256Base64(body, input.consumerKey) };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function toEvent(value: unknown): SnapTradeWebhookEvent | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const payload = value as Record<string, unknown>;
  const type = nonEmptyString(payload.eventType);
  const userId = nonEmptyString(payload.userId);
  const timestampText = nonEmptyString(payload.eventTimestamp);
  if (!type || !userId || !timestampText) return null;
  const eventTimestamp = parseEventTimestamp(timestampText);
  if (!eventTimestamp) return null;

  const details =
    typeof payload.details === 'object' && payload.details !== null && !Array.isArray(payload.details)
      ? (payload.details as Record<string, unknown>)
      : null;
  const common: WebhookCommon = {
    type,
    webhookId: nonEmptyString(payload.webhookId) ?? nonEmptyString(payload.webookId),
    clientId: nonEmptyString(payload.clientId),
    userId,
    accountId: nonEmptyString(payload.accountId) ?? nonEmptyString(details?.accountId),
    brokerageAuthorizationId:
      nonEmptyString(payload.brokerageAuthorizationId) ??
      nonEmptyString(payload.connectionId) ??
      nonEmptyString(details?.brokerageAuthorizationId),
    brokerageId: nonEmptyString(payload.brokerageId),
    eventTimestamp,
    details,
    payload,
  };
  // A known event that does not name what it is about cannot be acted on: refuse it.
  const accountKind = ACCOUNT_WEBHOOK_TYPES[type as keyof typeof ACCOUNT_WEBHOOK_TYPES];
  if (accountKind) {
    if (!common.accountId) return null;
    return { ...common, kind: accountKind, accountId: common.accountId };
  }
  const connectionKind = CONNECTION_WEBHOOK_TYPES[type as keyof typeof CONNECTION_WEBHOOK_TYPES];
  if (connectionKind) {
    if (!common.brokerageAuthorizationId) return null;
    return { ...common, kind: connectionKind, brokerageAuthorizationId: common.brokerageAuthorizationId };
  }
  return { ...common, kind: 'other' };
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

// ISO 8601 as SnapTrade writes it: microseconds and a `+00:00` offset, `T` or a space between
// date and time ('2022-05-31T11:16:54.658533+00:00'). An offset is required: a local time would
// be read in the server's time zone.
const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/i;

function parseEventTimestamp(text: string): Date | null {
  const match = TIMESTAMP_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date;
}
