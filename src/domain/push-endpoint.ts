/**
 * Web push endpoints (PRODUCT.md §4). A browser hands us the URL of its push service; the server
 * later POSTs to it. Only the push services browsers actually use are accepted, over https, so a
 * subscription cannot make the server send requests into its own network.
 */
import type { Result } from './errors';

/** Google (Chrome, Edge, Opera, Samsung), Mozilla (Firefox), Apple (Safari), Microsoft (WNS). */
const PUSH_SERVICE_HOSTS = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'updates.push.services.mozilla.com',
];
const PUSH_SERVICE_DOMAINS = ['.push.services.mozilla.com', '.push.apple.com', '.notify.windows.com'];

function isPushServiceHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return PUSH_SERVICE_HOSTS.includes(host) || PUSH_SERVICE_DOMAINS.some((domain) => host.endsWith(domain));
}

/**
 * The endpoint if a browser's push service may be reached there. `extraOrigin` is one more
 * origin accepted as is (a local push service in tests; configuration refuses it elsewhere).
 */
export function checkPushEndpoint(endpoint: string, extraOrigin?: string): Result<URL, string> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, error: 'must be a URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, error: 'must not carry credentials' };
  if (extraOrigin !== undefined && url.origin === extraOrigin) return { ok: true, value: url };
  if (url.protocol !== 'https:' || url.port !== '' || !isPushServiceHost(url.hostname)) {
    return { ok: false, error: "must be a browser push service's https URL" };
  }
  return { ok: true, value: url };
}
