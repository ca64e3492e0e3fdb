import { z } from 'zod';

/** A browser's push subscription as stored: its push service endpoint and its keys (RFC 8291). */
export type StoredPushSubscription = {
  endpoint: string;
  keys: { p256dh: string; auth: string };
};

/** URL-safe base64 of exactly `bytes` bytes; padding is accepted and dropped. */
function base64urlBytes(bytes: number, what: string) {
  return z
    .string(`is required: ${what}`)
    .trim()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `must be URL-safe base64: ${what}`)
    .transform((value) => value.replace(/=+$/, ''))
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, `must be ${bytes} bytes: ${what}`);
}

/** What `PushSubscription.toJSON()` gives in a browser. */
export const pushSubscriptionSchema = z.object({
  endpoint: z.string('is required').trim().min(1, 'is required').max(2048, 'must be at most 2048 characters'),
  expirationTime: z.number().nullable().optional(),
  keys: z.object(
    {
      p256dh: base64urlBytes(65, "the browser's P-256 public key").refine(
        (value) => Buffer.from(value, 'base64url')[0] === 0x04,
        'must be an uncompressed P-256 point',
      ),
      auth: base64urlBytes(16, "the browser's auth secret"),
    },
    'is required',
  ),
});

export function storedShape(input: z.output<typeof pushSubscriptionSchema>): StoredPushSubscription {
  return { endpoint: input.endpoint, keys: { p256dh: input.keys.p256dh, auth: input.keys.auth } };
}
