/**
 * TRUST_PROXY (PRODUCT.md §6): off by default, X-Forwarded-For is ignored (anyone can send it) and
 * the peer's address is the client's; with N proxies in front, the client is the address the
 * outermost of them received from, and the entries a client wrote itself are never used. The
 * address is what sign-in rate limits count and what sessions record.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { buildTestApp, HttpClient, inProcess, newCredentials, TEST_VAPID } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();
const PROXY = '10.0.0.2';

/** Sign up (and so in) through a proxy at 10.0.0.2 that forwards `forwardedFor`; where did we see it? */
async function seenAs(
  env: Record<string, string>,
  forwardedFor: string,
): Promise<{ session: string; limited: string[] }> {
  const { app } = buildTestApp(t, { env });
  const credentials = newCredentials('proxied');
  const client = new HttpClient(inProcess(app, PROXY));
  const headers = { 'x-forwarded-for': forwardedFor };
  expect(
    (await client.request('POST', '/api/auth/sign-up/email', { json: credentials, headers })).status,
  ).toBe(200);
  expect(
    (await client.request('POST', '/api/auth/sign-in/email', { json: credentials, headers })).status,
  ).toBe(200);
  const { rows } = await t.sql<{ ip_address: string }>(
    `SELECT s.ip_address FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1 ORDER BY s.created_at DESC LIMIT 1`,
    [credentials.email],
  );
  const { rows: keys } = await t.sql<{ key: string }>(
    `SELECT key FROM rate_limits WHERE key LIKE 'sign-in:ip:%' AND key = ANY($1)`,
    [[`sign-in:ip:${PROXY}`, ...forwardedFor.split(',').map((a) => `sign-in:ip:${a.trim()}`)]],
  );
  await t.sql(`DELETE FROM rate_limits WHERE key LIKE 'sign-in:ip:%'`);
  return { session: rows[0]?.ip_address ?? '', limited: keys.map((k) => k.key) };
}

describe('TRUST_PROXY', () => {
  it('is off by default: X-Forwarded-For is ignored, the peer is the client', async () => {
    expect(await seenAs({}, '198.51.100.7')).toEqual({ session: PROXY, limited: [`sign-in:ip:${PROXY}`] });
  });

  it('with one proxy, the client is the last X-Forwarded-For entry (what the proxy saw), never one it wrote', async () => {
    expect(await seenAs({ TRUST_PROXY: 'true' }, '203.0.113.66, 198.51.100.7')).toEqual({
      session: '198.51.100.7',
      limited: ['sign-in:ip:198.51.100.7'],
    });
  });

  it('with two proxies, the client is the second entry from the right', async () => {
    expect(await seenAs({ TRUST_PROXY: '2' }, '203.0.113.66, 198.51.100.8, 10.0.0.1')).toEqual({
      session: '198.51.100.8',
      limited: ['sign-in:ip:198.51.100.8'],
    });
  });

  it('falls back to the peer when the header is missing or not an address', async () => {
    expect(await seenAs({ TRUST_PROXY: 'true' }, 'unknown')).toEqual({
      session: PROXY,
      limited: [`sign-in:ip:${PROXY}`],
    });
  });

  it('accepts false, true or a number of proxies, and refuses anything else', () => {
    const base = {
      NODE_ENV: 'test',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-trust-proxy-')),
      AUTH_SECRET: 's'.repeat(40),
      ENCRYPTION_KEY: 'a'.repeat(64),
      VAPID_PUBLIC_KEY: TEST_VAPID.publicKey,
      VAPID_PRIVATE_KEY: TEST_VAPID.privateKey,
      VAPID_SUBJECT: TEST_VAPID.subject,
    };
    expect(loadConfig({ ...base }).trustProxy).toBe(0);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(0);
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: '3' }).trustProxy).toBe(3);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
  });
});
