/**
 * The security tests of every route, generated from the app's OpenAPI document: no route is
 * listed here by hand, so a route added later is checked as soon as it is in the document.
 * - Every operation declares its security (the session cookie, or `security: []` for public).
 * - Every session operation answers 401 with no cookie and with an expired session.
 * - Every operation with an id in its path answers 404 to a signed-in user who does not own
 *   the resource, and something else to its owner (so the 404 is about ownership).
 *
 * A new kind of resource in a path fails the tests until it has a fixture: add the kind to
 * `ResourceKind`, map its path in `RESOURCE_BY_PATH`, and create one in `createResources`.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { buildTestApp, inProcess, silentLogger, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createOpenApiSpec, type OpenApiSpec } from '../helpers/openapi';
import {
  callOperation,
  expireSessions,
  fetchOpenApiDocument,
  type Json,
  listOperations,
  minimalValue,
  type OpenApiDocument,
  type Operation,
  resourcePathOf,
} from '../helpers/security';
import { confirmEmail, expectJson, type Member, signUp, signUpTrader } from '../subscriptions/helpers';

/** The kinds of resource an id in a path names. */
type ResourceKind =
  | 'account'
  | 'order'
  | 'position'
  | 'subscription'
  /** A subscription to the owner as a trader (the trader's desk). */
  | 'subscriber'
  | 'copyDecision'
  | 'trader'
  | 'notification'
  | 'pushSubscription';

/** Which kind an id names, by the path up to and including its parameter. */
const RESOURCE_BY_PATH: Record<string, ResourceKind> = {
  '/api/accounts/{id}': 'account',
  '/api/orders/{id}': 'order',
  '/api/positions/{id}': 'position',
  '/api/subscriptions/{id}': 'subscription',
  '/api/subscriptions/subscribers/{id}': 'subscriber',
  '/api/copies/{id}': 'copyDecision',
  '/api/traders/{id}': 'trader',
  '/api/notifications/{id}': 'notification',
  '/api/push-subscriptions/{id}': 'pushSubscription',
};

/** Kinds anyone may read by id (a trader's public profile); the others are their owner's alone. */
const PUBLIC_KINDS: ReadonlySet<ResourceKind> = new Set(['trader']);

/**
 * Bodies given by hand, by operationId, where the minimal body made from the schema would not
 * pass validation (a pattern the generator cannot satisfy, a rule the schema cannot say).
 */
const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' } as const;

const KNOWN_BODIES: Partial<Record<string, Json>> = {
  // BTO or STC by `side`: a generator cannot pick a branch of the oneOf on its own.
  placeOrder: { side: 'BTO', ...CONTRACT, quantity: 1 },
};
const SYMBOL = 'AAPL  300118C00150000';

const t = useTestDatabase();
// Tuesday 2026-11-24, 10:00 in New York: the market is open.
const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
let env: TestApp;
let document: OpenApiDocument;
let spec: OpenApiSpec;
let operations: Operation[];

beforeAll(async () => {
  env = buildTestApp(t, { clock });
  env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
  document = await fetchOpenApiDocument(env.app);
  spec = createOpenApiSpec(document);
  operations = listOperations(document);
});

const label = (operation: Operation) =>
  `${operation.operationId} (${operation.method} ${operation.template})`;

const bodyFor = (operation: Operation): Json | undefined =>
  operation.requestBody ? (KNOWN_BODIES[operation.operationId] ?? undefined) : undefined;

/** The kind of each path parameter, or why the operation cannot be checked. */
function resourceKinds(operation: Operation): { kinds: Record<string, ResourceKind> } | { problem: string } {
  const kinds: Record<string, ResourceKind> = {};
  for (const param of operation.pathParams) {
    const path = resourcePathOf(operation.template, param);
    const kind = RESOURCE_BY_PATH[path];
    if (!kind) {
      return {
        problem:
          `${label(operation)}: no fixture for the resource named by ${path}; add its kind to ` +
          'ResourceKind and RESOURCE_BY_PATH, and create one in createResources ' +
          '(test/security/routes.security.test.ts)',
      };
    }
    kinds[param] = kind;
  }
  return { kinds };
}

/** The session token a member's browser holds. */
function tokenOf(member: Member): string {
  const token = member.client.cookie('alertsify.session_token');
  if (!token) throw new Error('not signed in');
  return token;
}

/**
 * One resource of each kind belonging to `owner`, made through the API (and the copy fan-out
 * service, as its job would run it): a paper account, an order and its position, a subscription
 * to `trader`, a copy decision waiting for the owner's approval with the notification telling
 * them, a browser registered for their pushes, and (the owner being a trader too) a follower's
 * subscription to them.
 */
async function createResources(owner: Member, trader: Member): Promise<Record<ResourceKind, string>> {
  const account = await expectJson(
    await owner.client.post('/api/accounts/paper', { startingBalance: '100000' }),
    201,
  );
  await expectJson(await trader.client.post('/api/accounts/paper', { startingBalance: '100000' }), 201);
  const subscription = await expectJson(
    await owner.client.post('/api/subscriptions', { traderId: trader.id, settings: { autoExecute: false } }),
    201,
  );
  clock.advance(61_000);
  const traderOrder = await expectJson(
    await trader.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 1 }),
    201,
  );
  await fanOutCopies({
    ctx: { db: t.db, actor: { type: 'system', job: 'test' }, now: clock.now, log: silentLogger() },
    deps: env.trading,
    input: { tradeId: String(traderOrder.id) },
  });
  const waiting = await expectJson(await owner.client.get('/api/copies?outcome=pending_approval'), 200);
  const decision = (waiting.copies as Array<{ id: string }>)[0];
  if (!decision) throw new Error('no copy decision waiting for the owner');
  const order = await expectJson(
    await owner.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 1 }),
    201,
  );
  const told = await expectJson(await owner.client.get('/api/notifications'), 200);
  const notification = (told.notifications as Array<{ id: string }>)[0];
  if (!notification) throw new Error('no notification for the owner');
  const browser = createECDH('prime256v1');
  browser.generateKeys();
  const pushSubscription = await expectJson(
    await owner.client.post('/api/push-subscriptions', {
      subscription: {
        endpoint: 'https://fcm.googleapis.com/fcm/send/owner-browser',
        keys: {
          p256dh: browser.getPublicKey().toString('base64url'),
          auth: randomBytes(16).toString('base64url'),
        },
      },
    }),
    201,
  );
  // The owner trades for others too: a follower's subscription to them.
  await confirmEmail(env.app, owner);
  await expectJson(await owner.client.post('/api/me/trader'), 200);
  const follower = await signUp(env.app, 'follower');
  const followed = await expectJson(
    await follower.client.post('/api/subscriptions', { traderId: owner.id }),
    201,
  );
  return {
    account: String(account.id),
    subscriber: String(followed.id),
    order: String(order.id),
    position: String(order.positionId),
    subscription: String(subscription.id),
    copyDecision: decision.id,
    trader: trader.id,
    notification: notification.id,
    pushSubscription: String(pushSubscription.id),
  };
}

async function describeAnswer(res: Response): Promise<string> {
  const text = await res.text();
  return `${res.status} ${text.slice(0, 200)}`;
}

describe('every operation of the OpenAPI document', () => {
  it('declares its security, names only resources with a fixture, and gets a valid minimal body', () => {
    expect(operations.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const operation of operations) {
      if (operation.security === 'undeclared') {
        problems.push(
          `${label(operation)}: declares no security; give its route SESSION_SECURITY or PUBLIC_SECURITY`,
        );
      } else if (operation.security === 'other') {
        problems.push(`${label(operation)}: a security scheme test/helpers/security.ts cannot test yet`);
      }
      const mapped = resourceKinds(operation);
      if ('problem' in mapped) problems.push(mapped.problem);
      if (operation.requestBody) {
        const path = operation.template.replace(/\{\w+\}/g, 'an-id');
        let body: Json;
        try {
          body = bodyFor(operation) ?? minimalValue(document, operation.requestBody.schema);
        } catch (error) {
          problems.push(`${label(operation)}: ${(error as Error).message} in KNOWN_BODIES`);
          continue;
        }
        const checked = spec.validateRequest({ method: operation.method, path, body });
        if (!checked.valid) {
          problems.push(
            `${label(operation)}: the minimal body ${JSON.stringify(body)} is not valid ` +
              `(${checked.errors.join('; ')}); add a known-good body to KNOWN_BODIES`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers 401 without a session and with an expired one when it declares the session', async () => {
    const expired = await signUp(env.app, 'expired');
    const token = tokenOf(expired);
    const session = await expireSessions(t, expired.id);
    const fetcher = inProcess(env.app, '203.0.113.50');
    const checked = operations.filter((operation) => operation.security === 'session');
    // Signing out is a session route like the others.
    expect(checked.map((operation) => operation.operationId)).toContain('signOut');

    const problems: string[] = [];
    for (const operation of checked) {
      const pathValues = Object.fromEntries(operation.pathParams.map((name) => [name, 'unknown-id']));
      const body = bodyFor(operation);
      for (const [situation, sessionToken] of [
        ['no cookie', undefined],
        ['an expired session', token],
      ] as const) {
        if (sessionToken) await session.ensure();
        const res = await callOperation(fetcher, document, operation, { pathValues, sessionToken, body });
        const answer = await describeAnswer(res.clone());
        const code =
          res.status === 401 ? ((await res.json()) as { error?: { code?: string } }).error?.code : null;
        if (res.status !== 401 || code !== 'UNAUTHENTICATED') {
          problems.push(`${label(operation)} with ${situation}: expected 401 UNAUTHENTICATED, got ${answer}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers 404 to a user who does not own the resource in its path, and not to the owner', async () => {
    const owner = await signUp(env.app, 'owner');
    const trader = await signUpTrader(env.app, 'trader');
    const stranger = await signUp(env.app, 'stranger');
    // The stranger is a full user with an account of their own: only ownership can refuse them.
    await expectJson(await stranger.client.post('/api/accounts/paper', { startingBalance: '100000' }), 201);
    const ids = await createResources(owner, trader);
    const checked = operations.filter((operation) => operation.pathParams.length > 0);
    expect(checked.length).toBeGreaterThan(15);

    const problems: string[] = [];
    for (const operation of checked) {
      const mapped = resourceKinds(operation);
      if ('problem' in mapped) {
        problems.push(mapped.problem);
        continue;
      }
      const kinds = Object.values(mapped.kinds);
      const pathValues = Object.fromEntries(
        Object.entries(mapped.kinds).map(([name, kind]) => [name, ids[kind]]),
      );
      const body = bodyFor(operation);
      const call = (member: Member) =>
        callOperation(inProcess(env.app, '203.0.113.51'), document, operation, {
          pathValues,
          sessionToken: operation.security === 'session' ? tokenOf(member) : undefined,
          body,
        });

      if (kinds.every((kind) => PUBLIC_KINDS.has(kind))) {
        const asStranger = await call(stranger);
        if (asStranger.status >= 400) {
          problems.push(
            `${label(operation)}: public, yet refused another user: ${await describeAnswer(asStranger)}`,
          );
        }
        continue;
      }
      // A stranger, and the trader the owner's subscription and copies point at.
      for (const [who, other] of [
        ['a stranger', stranger],
        ['the trader', trader],
      ] as const) {
        const res = await call(other);
        const refusal =
          res.status === 404 ? ((await res.clone().json()) as { error?: { code?: string } }) : null;
        if (refusal?.error?.code !== 'NOT_FOUND') {
          problems.push(
            `${label(operation)}: the owner's ${kinds.join(', ')} must be 404 NOT_FOUND to ${who}, got ` +
              (await describeAnswer(res)),
          );
        }
      }
      // The owner reaches the resource (a business refusal, 422, is fine: the id was found).
      const asOwner = await call(owner);
      if ([400, 401, 403, 404].includes(asOwner.status) || asOwner.status >= 500) {
        problems.push(`${label(operation)}: the owner was refused: ${await describeAnswer(asOwner)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
