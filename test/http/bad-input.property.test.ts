/**
 * Generated bodies thrown at the routes that write: orders, subscriptions and paper accounts.
 * Whatever arrives, the answer is never a 5xx; every 4xx carries the error shape; a 400 names the
 * field at fault when the body is an object, and writes nothing.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors';
import type { HttpClient } from '../helpers/app';
import { buildTestApp, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { expectJson, type Member, patch, signUp, signUpTrader } from '../subscriptions/helpers';

const t = useTestDatabase();
/** More with PROPERTY_RUNS=1000 when hunting; CI runs the default. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 120);

let test: TestApp;
let alice: Member;
let trader: Member;
let positionId: string;
let subscriptionId: string;

const SYMBOL = 'AAPL  301220C00150000';

beforeAll(async () => {
  test = buildTestApp(t);
  alice = await signUp(test.app, 'alice');
  trader = await signUpTrader(test.app, 'trader');
  const other = await signUpTrader(test.app, 'other');
  await expectJson(await alice.client.post('/api/accounts/paper', {}), 201);
  test.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
  const order = await expectJson(
    await alice.client.post('/api/orders', {
      side: 'BTO',
      underlying: 'AAPL',
      optionType: 'call',
      strike: '150',
      expiration: '2030-12-20',
      quantity: 2,
    }),
    201,
  );
  positionId = String(order.positionId);
  const subscription = await expectJson(
    await alice.client.post('/api/subscriptions', { traderId: other.id }),
    201,
  );
  subscriptionId = String(subscription.id);
});

/** Rows a request could write, counted in one read. */
async function writes(): Promise<Record<string, number>> {
  const { rows } = await t.sql<Record<string, number>>(`
    SELECT (SELECT count(*) FROM accounts)::int AS accounts,
           (SELECT count(*) FROM parent_trades)::int AS positions,
           (SELECT count(*) FROM trades)::int AS orders,
           (SELECT count(*) FROM order_events)::int AS order_events,
           (SELECT count(*) FROM subscriptions)::int AS subscriptions,
           (SELECT count(*) FROM audit_log)::int AS audit,
           (SELECT count(*) FROM notifications)::int AS notifications`);
  return rows[0] ?? {};
}

/** A value of the right kind, something close to a limit, or anything at all. */
const junkOr = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary }, { weight: 1, arbitrary: fc.anything() });

const numberish = junkOr(
  fc.oneof(
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.constantFrom(
      '150',
      '99999.99',
      '100000',
      '0.001',
      '1e5',
      '-1',
      '0',
      'NaN',
      ' 12.5 ',
      '999999.9999',
      '1000000',
    ),
    fc.constantFrom(1e21, 1e-7, 99999.999, 100000, -0, Number.MAX_SAFE_INTEGER),
  ),
);

const dateish = junkOr(
  fc.oneof(
    fc
      .date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    fc.constantFrom('2100-01-01', '2099-12-31', '1999-12-31', '2030-02-30', '2030-13-01', 'today', ''),
    fc.string(),
  ),
);

/**
 * A well-formed body of `valid` fields with up to two of them replaced by `junk` or removed: most
 * refusals worth finding hide behind otherwise valid input.
 */
function nearlyValid(
  valid: Record<string, fc.Arbitrary<unknown>>,
  junk: Record<string, fc.Arbitrary<unknown>>,
) {
  const keys = Object.keys(valid);
  const change = fc.tuple(
    fc.constantFrom(...keys),
    fc.oneof(fc.constant<'remove'>('remove'), fc.constant<'junk'>('junk')),
  );
  return fc.record(valid).chain((body) =>
    fc.array(change, { maxLength: 2 }).chain((changes) => {
      if (changes.length === 0) return fc.constant(body);
      const replaced = changes.map(([key, how]) =>
        how === 'remove'
          ? fc.constant([key, undefined] as const)
          : (junk[key] ?? fc.anything()).map((v) => [key, v] as const),
      );
      return fc.tuple(...replaced).map((pairs) => {
        const next: Record<string, unknown> = { ...body };
        for (const [key, value] of pairs) {
          if (value === undefined) delete next[key];
          else next[key] = value;
        }
        return next;
      });
    }),
  );
}

const strikeEdges = fc.constantFrom(
  '100000',
  100000,
  150000,
  '99999.99',
  '150.005',
  '0',
  0,
  '-5',
  '1e3',
  1e-9,
  'NaN',
);
const priceEdges = fc.constantFrom('1000000', 1000000, '999999.99999', '0.00001', '0', -1, 1e21, 'x');
const expirationEdges = fc.constantFrom(
  '2100-01-01',
  '2199-06-30',
  '1999-12-31',
  '2030-02-30',
  '2030-13-01',
  '20301220',
  'today',
);

const btoBody = nearlyValid(
  {
    side: fc.constant('BTO'),
    underlying: fc.stringMatching(/^[A-Z]{1,6}$/),
    optionType: fc.constantFrom('call', 'put'),
    strike: fc.oneof(fc.integer({ min: 1, max: 99_999 }).map(String), strikeEdges),
    expiration: fc.oneof(
      fc
        .date({ min: new Date('2031-01-01'), max: new Date('2150-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      expirationEdges,
    ),
    quantity: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, 1001, 2.5, -1)),
    orderType: fc.constant('Limit'),
    limitPrice: fc.oneof(fc.constantFrom('0.05', '2.50'), priceEdges),
  },
  {
    strike: numberish,
    expiration: dateish,
    limitPrice: numberish,
    stopPrice: numberish,
    orderType: fc.constantFrom('Market', 'Stop', 'StopLimit', 'limit'),
  },
);

const stcBody = nearlyValid(
  {
    side: fc.constant('STC'),
    positionId: fc.constantFrom('__open__', 'missing'),
    quantity: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 1001, 2.5)),
    orderType: fc.constantFrom('Market', 'Limit'),
    limitPrice: fc.oneof(fc.constantFrom('2.50'), priceEdges),
  },
  { limitPrice: numberish, stopPrice: numberish, side: fc.constantFrom('BTO', 'stc', '') },
);

const orderBody = fc.oneof(
  { weight: 3, arbitrary: btoBody },
  { weight: 2, arbitrary: stcBody },
  { weight: 1, arbitrary: fc.anything() },
);

const settings = fc.record(
  {
    autoExecute: junkOr(fc.boolean()),
    scalingFactor: numberish,
    maxPositionSize: junkOr(fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.double())),
    maxDailyTrades: junkOr(fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double())),
    unknownSetting: fc.anything(),
  },
  { requiredKeys: [] },
);

const subscribeBody = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      { traderId: junkOr(fc.constantFrom('__trader__', 'missing', '')), settings: junkOr(settings) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);

const paperAccountBody = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      { name: junkOr(fc.string({ maxLength: 80 })), startingBalance: numberish },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);

/** An object as JSON carries one (generated objects may have no prototype at all). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Placeholders in generated bodies become this test's real ids. */
function withIds(value: unknown): unknown {
  if (value === '__open__') return positionId;
  if (value === '__trader__') return trader.id;
  if (Array.isArray(value)) return value.map(withIds);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withIds(inner)]));
  }
  return value;
}

/** Send one generated body and check the answer against the rules above. */
async function check(send: (body: unknown) => Promise<Response>, generated: unknown): Promise<void> {
  // Each request in a fresh rate-limit window: the limits are tested elsewhere.
  test.clock.advance(61_000);
  const body = withIds(generated);
  const before = await writes();
  const res = await send(body);
  const text = await res.text();
  const context = `${res.status} for ${JSON.stringify(body)}: ${text}`;
  expect(res.status, context).toBeLessThan(500);
  if (res.status < 400) return;
  const answer = JSON.parse(text) as { error?: Record<string, unknown> };
  expect(ERROR_CODES, context).toContain(answer.error?.code);
  expect(typeof answer.error?.message, context).toBe('string');
  expect(typeof answer.error?.requestId, context).toBe('string');
  if (res.status !== 400) return;
  if (isPlainObject(body)) expect(answer.error?.field, context).toMatch(/\w/);
  expect(await writes(), context).toEqual(before);
}

const post = (client: HttpClient, path: string) => (body: unknown) => client.post(path, body);

describe('generated bodies never get a 5xx, and a 400 writes nothing', () => {
  it('POST /api/orders', async () => {
    await fc.assert(
      fc.asyncProperty(orderBody, (body) => check(post(alice.client, '/api/orders'), body)),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('POST /api/subscriptions', async () => {
    await fc.assert(
      fc.asyncProperty(subscribeBody, (body) => check(post(alice.client, '/api/subscriptions'), body)),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('PATCH /api/subscriptions/{id}', async () => {
    await fc.assert(
      fc.asyncProperty(settings, (body) =>
        check((json) => patch(alice.client, `/api/subscriptions/${subscriptionId}`, json), body),
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('POST /api/accounts/paper', async () => {
    await fc.assert(
      fc.asyncProperty(paperAccountBody, (body) => check(post(alice.client, '/api/accounts/paper'), body)),
      { numRuns: RUNS },
    );
  }, 120_000);
});
