import type { AppContext } from './env';

/**
 * The address of the peer connected to us. Forwarding headers are not trusted: anyone can send
 * them. Behind a reverse proxy this is the proxy's address.
 */
export function clientIp(c: AppContext): string {
  const address = c.env?.incoming?.socket?.remoteAddress;
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
