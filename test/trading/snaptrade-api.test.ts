/**
 * The SnapTrade path through our own API and services, against the local simulator with the
 * real SDK: connect (register, portal link, accounts upserted), place and close a position,
 * webhook-triggered sync; every request and response the simulator saw honours the spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapTradeBroker } from '../../src/broker/snaptrade/adapter';
import { SnapTradeConnections } from '../../src/broker/snaptrade/connections';
import { createSnapTradeSimulator, type SnapTradeSimulator } from '../../src/broker/snaptrade/simulator';
import { signSnapTradeWebhook } from '../../src/broker/snaptrade/webhook';
import { buildTradingDeps } from '../../src/runtime';
import { syncAccountOrders } from '../../src/services/trading/sync-account-orders';
import { expectExchangesMatchSpec } from '../broker/snaptrade/support';
import { buildTestApp, HttpClient, inProcess, silentLogger, type TestApp, testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();
let sim: SnapTradeSimulator;
let env: TestApp;

type Json = Record<string, unknown>;
const SYMBOL = 'AAPL  300118C00150000';
const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' };

beforeAll(async () => {
  sim = await createSnapTradeSimulator({ seed: 7, record: true });
  const options = {
    clientId: sim.clientId,
    consumerKey: sim.consumerKey,
    basePath: sim.url,
    sleep: async () => {},
  };
  const config = testConfig();
  const trading = buildTradingDeps({
    db: t.db,
    config,
    snaptrade: {
      broker: new SnapTradeBroker(options),
      connector: new SnapTradeConnections(options),
      consumerKey: sim.consumerKey,
    },
  });
  env = buildTestApp(t, { trading });
});

afterAll(async () => {
  await sim?.close();
});

async function json(res: Response, status: number): Promise<Json> {
  const body = (await res.json()) as Json;
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

describe('SnapTrade through the API', () => {
  it('connects, trades, and syncs on a verified webhook; the simulator saw only spec-valid traffic', async () => {
    const client = new HttpClient(inProcess(env.app));
    const signUp = await json(
      await client.post('/api/auth/sign-up/email', {
        email: 'snap@example.test',
        password: 'correct horse battery',
        name: 'Snap',
      }),
      200,
    );
    const userId = (signUp.user as Json).id as string;

    const link = await json(await client.post('/api/accounts/snaptrade/connect', {}), 200);
    expect(String(link.url)).toContain(sim.url);
    const { rows: stored } = await t.sql<{ snaptrade_user_id: string; snaptrade_user_secret: string }>(
      'SELECT snaptrade_user_id, snaptrade_user_secret FROM users WHERE id = $1',
      [userId],
    );
    expect(stored[0]?.snaptrade_user_id).toBe(userId);
    expect(stored[0]?.snaptrade_user_secret).toMatch(/^v1\./);

    // The user finishes the Connection Portal; the portal sends the browser back.
    const { accountId: brokerAccountId } = sim.controls.connectAccount({
      userId,
      cash: '10000.00',
      brokerName: 'Alpaca',
    });
    const back = await client.get('/api/accounts/snaptrade/callback');
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/#/accounts?connected=1');
    const again = await json(await client.post('/api/accounts/snaptrade/refresh'), 200);
    const accounts = again.accounts as Json[];
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ provider: 'snaptrade', isSelected: true, brokerName: 'Alpaca' });

    sim.controls.setQuote(SYMBOL, { bid: '2.40', ask: '2.50' });
    const bought = await json(
      await client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 2 }),
      201,
    );
    expect(bought).toMatchObject({ status: 'filled', filledQuantity: 2, filledPrice: '2.5000' });
    expect(bought.brokerOrderId).toBeTruthy();

    const sell = await json(
      await client.post('/api/orders', {
        side: 'STC',
        positionId: bought.positionId,
        quantity: 2,
        orderType: 'Limit',
        limitPrice: '3.00',
      }),
      201,
    );
    expect(sell.status).toBe('pending');
    sim.controls.setQuote(SYMBOL, { bid: '3.00', ask: '3.10' });

    // SnapTrade tells us; the webhook queues an immediate sync of that account.
    const hook = signSnapTradeWebhook({
      payload: {
        eventType: 'TRADE_DETECTION',
        userId,
        accountId: brokerAccountId,
        eventTimestamp: env.clock.now().toISOString(),
      },
      consumerKey: sim.consumerKey,
    });
    const accepted = await env.app.request('/api/webhooks/snaptrade', {
      method: 'POST',
      headers: { 'content-type': 'application/json', signature: hook.signature },
      body: hook.body,
    });
    expect(await json(accepted, 200)).toEqual({ accepted: true, synced: 1 });
    const { rows: jobs } = await t.sql<{ due: boolean }>(
      `SELECT run_at <= now() AS due FROM graphile_worker._private_jobs WHERE key = $1`,
      [`sync-account-orders:${accounts[0]?.id}`],
    );
    expect(jobs).toEqual([{ due: true }]);

    // What that job does:
    const ctx = {
      db: t.db,
      actor: { type: 'system', job: 'sync' } as const,
      now: () => new Date(),
      log: silentLogger(),
    };
    const result = await syncAccountOrders({
      ctx,
      deps: env.trading,
      input: { accountId: accounts[0]?.id as string },
    });
    expect(result).toMatchObject({ checked: 1, changed: 1, stillWorking: 0 });
    const position = await json(await client.get(`/api/positions/${bought.positionId}`), 200);
    expect(position).toMatchObject({ status: 'closed', realizedPnl: '100.00', totalProceeds: '600.00' });

    const operations = expectExchangesMatchSpec(sim.exchanges);
    for (const op of [
      'Authentication_registerSnapTradeUser',
      'Authentication_loginSnapTradeUser',
      'AccountInformation_listUserAccounts',
      'Trading_placeMlegOrder',
      'AccountInformation_getUserAccountOrders',
    ]) {
      expect(operations).toContain(op);
    }
  });

  it('refuses a webhook with a bad signature or an old timestamp, changing nothing', async () => {
    const payload = {
      eventType: 'TRADE_DETECTION',
      userId: 'u',
      accountId: 'a',
      eventTimestamp: env.clock.now().toISOString(),
    };
    const forged = signSnapTradeWebhook({ payload, consumerKey: 'not-the-key' });
    const bad = await env.app.request('/api/webhooks/snaptrade', {
      method: 'POST',
      headers: { 'content-type': 'application/json', signature: forged.signature },
      body: forged.body,
    });
    expect(bad.status).toBe(401);
    const old = signSnapTradeWebhook({
      payload: { ...payload, eventTimestamp: new Date(env.clock.now().getTime() - 301_000).toISOString() },
      consumerKey: sim.consumerKey,
    });
    const stale = await env.app.request('/api/webhooks/snaptrade', {
      method: 'POST',
      headers: { 'content-type': 'application/json', signature: old.signature },
      body: old.body,
    });
    expect(stale.status).toBe(400);
    const missing = await env.app.request('/api/webhooks/snaptrade', { method: 'POST', body: old.body });
    expect(missing.status).toBe(401);
  });
});
