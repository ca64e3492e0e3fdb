import { isIP } from 'node:net';
import type { Config } from '../config';
import type { AppContext } from './env';

const unmapped = (address: string) =>
  address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;

/**
 * The client's address, as used by rate limits and recorded on sessions (PRODUCT.md §6).
 *
 * By default the peer connected to us: forwarding headers are not trusted, since anyone can send
 * them. Behind reverse proxies, TRUST_PROXY=N says N proxies stand in front: each appends the
 * address it received from to X-Forwarded-For, so the client is the N-th entry from the right.
 * Entries further left were written by the client itself and are never used.
 */
export function clientIp(c: AppContext, config: Pick<Config, 'trustProxy'>): string {
  const peer = c.env?.incoming?.socket?.remoteAddress;
  const fallback = peer ? unmapped(peer) : 'unknown';
  if (config.trustProxy === 0) return fallback;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (forwarded.length === 0) return fallback;
  const candidate = forwarded[Math.max(0, forwarded.length - config.trustProxy)] ?? '';
  return isIP(candidate) ? unmapped(candidate) : fallback;
}
