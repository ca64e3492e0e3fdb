/**
 * SnapTrade's two HMAC-SHA256 signatures, shared by the simulator (which checks what the SDK
 * sends) and the webhook verifier (which checks what SnapTrade sends us).
 *
 * Request signature (what `snaptrade-typescript-sdk` puts in the `Signature` header):
 *   base64( HMAC-SHA256( key = encodeURI(consumerKey),
 *                        message = sortedJson({ content, path, query }) ) )
 *   - `content`: the JSON request body parsed back into a value, or `null` when there is no body
 *     or the body is exactly `{}`;
 *   - `path`: the request path relative to the API base, without the query string
 *     (`/accounts/<id>/orders`);
 *   - `query`: the raw query string without the leading `?` (it carries `clientId` and
 *     `timestamp`, so the signature expires with the timestamp);
 *   - `sortedJson`: compact JSON whose object keys are in sorted order at every depth.
 *
 * Webhook signature: base64 HMAC-SHA256 of the body with the consumer key. SnapTrade documents it
 * as computed over the payload re-serialised with sorted keys and no whitespace (Python's
 * `json.dumps(payload, separators=(",", ":"), sort_keys=True)`), which is also what it sends.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compact JSON with object keys sorted at every depth. `asciiOnly` escapes every non-ASCII
 * character as `\uXXXX`, as Python's `json.dumps` does by default (webhook bodies).
 *
 * Written out by hand rather than by re-building sorted objects: JavaScript objects always list
 * integer-like keys first, so `{ "10": 1, "9": 2 }` would not keep the string order the SDK uses.
 */
export function sortedJson(value: unknown, options: { asciiOnly?: boolean } = {}): string {
  const text = writeSorted(value) ?? 'null';
  if (!options.asciiOnly) return text;
  return text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Like JSON.stringify (undefined for values it would drop), with sorted object keys. */
function writeSorted(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      return undefined;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return writeSorted(withToJson.toJSON());
  if (Array.isArray(value)) {
    return `[${value.map((item) => writeSorted(item) ?? 'null').join(',')}]`;
  }
  const members: string[] = [];
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    const written = writeSorted(record[key]);
    if (written !== undefined) members.push(`${JSON.stringify(key)}:${written}`);
  }
  return `{${members.join(',')}}`;
}

export function hmacSha256Base64(message: string, key: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64');
}

/** Compares two signatures without leaking, through timing, how much of them matched. */
export function signaturesEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  if (a.length !== b.length) {
    // Still spend the time of a comparison, so a length mismatch is not distinguishable.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** What the SDK treats as "no body": nothing, or an empty object. */
export function requestSignatureContent(rawBody: string): unknown {
  if (rawBody === '' || rawBody === '{}') return null;
  return JSON.parse(rawBody);
}

/** The `Signature` header value the SDK computes for a request. */
export function computeRequestSignature(input: {
  consumerKey: string;
  /** Parsed JSON body, or null (see `requestSignatureContent`). */
  content: unknown;
  path: string;
  /** Raw query string, without `?`. */
  query: string;
}): string {
  const message = sortedJson({ content: input.content, path: input.path, query: input.query });
  return hmacSha256Base64(message, encodeURI(input.consumerKey));
}
