/**
 * The simulator on its own terms: it authenticates requests exactly as SnapTrade does (clientId,
 * timestamp, Signature, user secret), its portal connects accounts, and it sends signed webhooks
 * our verifier accepts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { computeRequestSignature, sortedJson } from '../../../src/broker/snaptrade/signature';
import {
  createSnapTradeSimulator,
  type SnapTradeSimulator,
  startSnapTradeSimulator,
} from '../../../src/broker/snaptrade/simulator';
import { verifySnapTradeWebhook } from '../../../src/broker/snaptrade/webhook';
import { expectExchangesMatchSpec, OCC_CALL, snapTradeSpec } from './support';

const sims: SnapTradeSimulator[] = [];
async function simulator(...args: Parameters<typeof createSnapTradeSimulator>): Promise<SnapTradeSimulator> {
  const sim = await createSnapTradeSimulator(...args);
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.close();
});

/** A request signed by hand, the way the SDK signs it, with parts that can be spoiled. */
async function signedRequest(
  sim: SnapTradeSimulator,
  input: {
    method: string;
    path: string;
    query?: Record<string, string>;
    body?: unknown;
    consumerKey?: string;
    timestamp?: number;
    clientId?: string;
    signature?: string | null;
  },
): Promise<{ status: number; body: unknown }> {
  const query = new URLSearchParams({
    clientId: input.clientId ?? sim.clientId,
    timestamp: String(input.timestamp ?? Math.round(Date.now() / 1000)),
    ...input.query,
  }).toString();
  const rawBody = input.body === undefined ? undefined : JSON.stringify(input.body);
  const signature =
    input.signature === undefined
      ? computeRequestSignature({
          consumerKey: input.consumerKey ?? sim.consumerKey,
          content: rawBody === undefined ? null : JSON.parse(rawBody),
          path: input.path,
          query,
        })
      : input.signature;
  const response = await fetch(`${sim.url}${input.path}?${query}`, {
    method: input.method,
    headers: {
      ...(rawBody === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(signature === null ? {} : { Signature: signature }),
    },
    ...(rawBody === undefined ? {} : { body: rawBody }),
  });
  return { status: response.status, body: await response.json() };
}

describe('request signatures', () => {
  it('signs sorted, compact JSON of { content, path, query }', () => {
    expect(sortedJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null }, 10: 'x', 9: 'y' })).toBe(
      '{"10":"x","9":"y","a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('serves a correctly signed request and refuses every spoiled one with 401', async () => {
    const sim = await simulator({ record: true });
    const register = { method: 'POST', path: '/snapTrade/registerUser', body: { userId: 'u-1' } };
    const ok = await signedRequest(sim, register);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ userId: 'u-1' });

    const refused = [
      await signedRequest(sim, { ...register, body: { userId: 'u-2' }, consumerKey: 'wrong-key' }),
      await signedRequest(sim, { ...register, body: { userId: 'u-3' }, signature: null }),
      await signedRequest(sim, { ...register, body: { userId: 'u-4' }, signature: 'bm90IGEgc2lnbmF0dXJl' }),
      await signedRequest(sim, { ...register, body: { userId: 'u-5' }, clientId: 'SOMEONE_ELSE' }),
      await signedRequest(sim, {
        ...register,
        body: { userId: 'u-6' },
        timestamp: Math.round(Date.now() / 1000) - 3600,
      }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(401);
      expect(snapTradeSpec().validateComponent('401FailedRequestResponse', response.body).valid).toBe(true);
      expect(response.body).toMatchObject({
        default_detail: expect.any(String),
        default_code: expect.any(Number),
      });
    }
    expectExchangesMatchSpec(sim.exchanges);
  });

  it('refuses a body changed after signing', async () => {
    const sim = await simulator();
    const query = new URLSearchParams({
      clientId: sim.clientId,
      timestamp: String(Math.round(Date.now() / 1000)),
    });
    const signature = computeRequestSignature({
      consumerKey: sim.consumerKey,
      content: { userId: 'honest' },
      path: '/snapTrade/registerUser',
      query: query.toString(),
    });
    const response = await fetch(`${sim.url}/snapTrade/registerUser?${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Signature: signature },
      body: JSON.stringify({ userId: 'forged' }),
    });
    expect(response.status).toBe(401);
  });

  it('checks the user secret of user-scoped operations', async () => {
    const sim = await simulator();
    const registered = await signedRequest(sim, {
      method: 'POST',
      path: '/snapTrade/registerUser',
      body: { userId: 'u-secret' },
    });
    const { userSecret } = registered.body as { userSecret: string };
    const list = (secret: string) =>
      signedRequest(sim, {
        method: 'GET',
        path: '/accounts',
        query: { userId: 'u-secret', userSecret: secret },
      });
    expect((await list(userSecret)).status).toBe(200);
    expect(await list('not-the-secret')).toMatchObject({ status: 401, body: { default_code: 1083 } });
  });
});

describe('connection portal', () => {
  it('connects an account when the user completes the portal, then sends them back', async () => {
    const sim = await simulator({ portalCash: '2500.00' });
    const registered = await signedRequest(sim, {
      method: 'POST',
      path: '/snapTrade/registerUser',
      body: { userId: 'p-1' },
    });
    const { userSecret } = registered.body as { userSecret: string };
    const login = await signedRequest(sim, {
      method: 'POST',
      path: '/snapTrade/login',
      query: { userId: 'p-1', userSecret },
      body: { customRedirect: 'http://127.0.0.1:9/back', connectionType: 'trade' },
    });
    const { redirectURI, sessionId } = login.body as { redirectURI: string; sessionId: string };
    expect((await fetch(redirectURI)).status).toBe(200);

    const completed = await fetch(`${sim.url}/portal/connect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sessionId }).toString(),
      redirect: 'manual',
    });
    expect(completed.status).toBe(302);
    expect(completed.headers.get('location')).toBe('http://127.0.0.1:9/back');

    const accounts = await signedRequest(sim, {
      method: 'GET',
      path: '/accounts',
      query: { userId: 'p-1', userSecret },
    });
    expect(accounts.body).toEqual([
      expect.objectContaining({ balance: { total: { amount: 2500, currency: 'USD' } } }),
    ]);
  });
});

describe('webhooks', () => {
  async function receiver(): Promise<{
    url: string;
    received: Array<{ body: string; signature: string | undefined }>;
    close: () => Promise<void>;
  }> {
    const received: Array<{ body: string; signature: string | undefined }> = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const signature = request.headers.signature;
        received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: typeof signature === 'string' ? signature : undefined,
        });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/webhooks/snaptrade`,
      received,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it('emits a signed TRADE_DETECTION that our verifier accepts', async () => {
    const now = new Date('2026-03-02T15:00:00.000Z');
    const sim = await simulator({ now: () => now });
    const target = await receiver();
    try {
      await signedRequest(sim, { method: 'POST', path: '/snapTrade/registerUser', body: { userId: 'w-1' } });
      const { accountId, authorizationId } = sim.controls.connectAccount({ userId: 'w-1' });
      const sent = await sim.controls.emitWebhook({ url: target.url, userId: 'w-1', accountId });
      expect(sent.status).toBe(200);

      const [delivery] = target.received;
      if (!delivery) throw new Error('no webhook arrived');
      const verified = verifySnapTradeWebhook({
        rawBody: delivery.body,
        signatureHeader: delivery.signature,
        consumerKey: sim.consumerKey,
        now: new Date(now.getTime() + 10_000),
      });
      expect(verified).toMatchObject({
        ok: true,
        event: {
          kind: 'trade_detection',
          userId: 'w-1',
          accountId,
          brokerageAuthorizationId: authorizationId,
        },
      });
      expect(
        verifySnapTradeWebhook({
          rawBody: delivery.body,
          signatureHeader: delivery.signature,
          consumerKey: 'not-ours',
          now,
        }),
      ).toEqual({ ok: false, reason: 'bad_signature' });
    } finally {
      await target.close();
    }
  });

  it('emits TRADE_DETECTION on its own when an order changes, and connection events, if given a webhook URL', async () => {
    const target = await receiver();
    try {
      const sim = await createSnapTradeSimulator({ webhookUrl: target.url });
      const user = await signedRequest(sim, {
        method: 'POST',
        path: '/snapTrade/registerUser',
        body: { userId: 'w-2' },
      });
      const { userSecret } = user.body as { userSecret: string };
      const { accountId } = sim.controls.connectAccount({ userId: 'w-2' });
      sim.controls.setQuote(OCC_CALL, { bid: '1.00', ask: '1.20' });
      const placed = await signedRequest(sim, {
        method: 'POST',
        path: `/accounts/${accountId}/trading/options`,
        query: { userId: 'w-2', userSecret },
        body: {
          order_type: 'LIMIT',
          time_in_force: 'Day',
          limit_price: '1.10',
          price_effect: 'DEBIT',
          legs: [
            { instrument: { symbol: OCC_CALL, instrument_type: 'OPTION' }, action: 'BUY_TO_OPEN', units: 1 },
          ],
        },
      });
      expect(placed.status).toBe(200);
      sim.controls.setQuote(OCC_CALL, { bid: '1.00', ask: '1.05' }); // crosses the limit: fills
      const { authorizationId } = sim.controls.account(accountId) ?? { authorizationId: '' };
      sim.controls.setConnectionDisabled(authorizationId, true);
      sim.controls.setConnectionDisabled(authorizationId, true); // already broken: no second event
      sim.controls.setConnectionDisabled(authorizationId, false);
      await sim.close(); // waits for the webhooks in flight

      const events = target.received.map((delivery) => JSON.parse(delivery.body) as Record<string, unknown>);
      const order = (status: string) => ({
        orders: [expect.objectContaining({ brokerage_order_id: expect.any(String), status })],
      });
      expect(events.map((event) => [event.eventType, event.accountId, event.details])).toEqual([
        ['TRADE_DETECTION', accountId, order('ACCEPTED')],
        ['TRADE_DETECTION', accountId, order('EXECUTED')],
        ['CONNECTION_BROKEN', undefined, undefined],
        ['CONNECTION_FIXED', undefined, undefined],
      ]);
      expect(events.slice(2).map((event) => event.brokerageAuthorizationId)).toEqual([
        authorizationId,
        authorizationId,
      ]);
    } finally {
      await target.close();
    }
  });
});

describe('development mode', () => {
  it('prices any contract, reproducibly under a seed, through option impact only', async () => {
    const first = await startSnapTradeSimulator({ seed: 7 });
    sims.push(first);
    const second = await startSnapTradeSimulator({ seed: 7 });
    sims.push(second);
    const impact = async (sim: SnapTradeSimulator) => {
      const user = await signedRequest(sim, {
        method: 'POST',
        path: '/snapTrade/registerUser',
        body: { userId: 'dev' },
      });
      const { userSecret } = user.body as { userSecret: string };
      const { accountId } = sim.controls.connectAccount({ userId: 'dev' });
      const answer = await signedRequest(sim, {
        method: 'POST',
        path: `/accounts/${accountId}/trading/options/impact`,
        query: { userId: 'dev', userSecret },
        body: {
          order_type: 'MARKET',
          time_in_force: 'Day',
          legs: [
            { instrument: { symbol: OCC_CALL, instrument_type: 'OPTION' }, action: 'BUY_TO_OPEN', units: 1 },
          ],
        },
      });
      const quote = await signedRequest(sim, {
        method: 'GET',
        path: `/accounts/${accountId}/quotes/options`,
        query: { userId: 'dev', userSecret, symbol: OCC_CALL },
      });
      return { answer, quote, accountId, userSecret };
    };
    const a = await impact(first);
    const b = await impact(second);
    expect(a.answer.status).toBe(200);
    expect(a.answer.body).toMatchObject({
      estimated_cash_change: expect.any(String),
      cash_change_direction: 'DEBIT',
      estimated_fee_total: '0.65',
    });
    expect(a.answer.body).toEqual(b.answer.body);
    // The deprecated quote endpoint is not served.
    expect(a.quote.status).toBe(404);
    expect(a.accountId).toBe(b.accountId);
    expect(a.userSecret).toBe(b.userSecret);
  });
});
