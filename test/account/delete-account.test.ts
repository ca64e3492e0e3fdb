/**
 * Deleting my account: confirmed by the password; a soft delete with both sides of every
 * subscription told and ended, sessions gone, personal fields scrubbed, history kept, and the
 * SnapTrade user deregistered (against the simulator, through the real SDK).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapTradeBroker } from '../../src/broker/snaptrade/adapter';
import { SnapTradeConnections } from '../../src/broker/snaptrade/connections';
import { createSnapTradeSimulator, type SnapTradeSimulator } from '../../src/broker/snaptrade/simulator';
import { startWorker } from '../../src/jobs/runner';
import { buildTasks } from '../../src/jobs/tasks';
import { buildTradingDeps } from '../../src/runtime';
import { buildTestApp, HttpClient, inProcess, silentLogger, type TestApp, testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { testJobDeps } from '../helpers/jobs';
import { expectError, expectJson, type Member, signUp, signUpTrader } from '../subscriptions/helpers';

const t = useTestDatabase();
let sim: SnapTradeSimulator;
let connections: SnapTradeConnections;
let env: TestApp;

const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  sim = await createSnapTradeSimulator({ seed: 11, record: true });
  const options = {
    clientId: sim.clientId,
    consumerKey: sim.consumerKey,
    basePath: sim.url,
    sleep: async () => {},
  };
  connections = new SnapTradeConnections(options);
  const trading = buildTradingDeps({
    db: t.db,
    config: testConfig(),
    snaptrade: { broker: new SnapTradeBroker(options), connector: connections, consumerKey: sim.consumerKey },
  });
  env = buildTestApp(t, { trading });
});

afterAll(async () => {
  await sim?.close();
});

const deleteMe = (member: Member, password: string) => member.client.post('/api/me/delete', { password });

async function userRow(id: string) {
  const { rows } = await t.sql(
    `SELECT email, name, username, is_trader, deleted_at IS NOT NULL AS deleted, snaptrade_user_id,
            (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id) AS sessions,
            (SELECT count(*)::int FROM auth_accounts a WHERE a.user_id = u.id) AS credentials
       FROM users u WHERE id = $1`,
    [id],
  );
  return rows[0];
}

describe('deleting my account', () => {
  it('refuses a wrong password and changes nothing', async () => {
    const member = await signUp(env.app, 'careful');
    const before = await userRow(member.id);
    const refused = await deleteMe(member, 'not my password at all');
    expect((await expectError(refused, 400, 'VALIDATION')).field).toBe('password');
    expect(await userRow(member.id)).toEqual(before);
    expect((await member.client.get('/api/me')).status).toBe(200);
  });

  it('as a trader: subscribers are told and their subscriptions end; history stays; nobody can sign in as me', async () => {
    const trader = await signUpTrader(env.app, 'leaving');
    const follower = await signUp(env.app, 'follower');
    await expectJson(await follower.client.post('/api/subscriptions', { traderId: trader.id }), 201);
    await expectJson(await trader.client.post('/api/accounts/paper', {}), 201);
    env.quotes.set('AAPL  300118C00150000', { bid: '2.40', ask: '2.50' });
    const order = await expectJson(
      await trader.client.post('/api/orders', {
        side: 'BTO',
        underlying: 'AAPL',
        optionType: 'call',
        strike: '150',
        expiration: '2030-01-18',
        quantity: 1,
      }),
      201,
    );

    expect(await expectJson(await deleteMe(trader, PASSWORD), 200)).toEqual({ deleted: true });

    expect(await userRow(trader.id)).toEqual({
      email: `deleted+${trader.id}@deleted.invalid`,
      name: null,
      username: null,
      is_trader: false,
      deleted: true,
      snaptrade_user_id: null,
      sessions: 0,
      credentials: 0,
    });
    expect((await trader.client.get('/api/me')).status).toBe(401);
    await expectError(
      await new HttpClient(inProcess(env.app)).post('/api/auth/sign-in/email', {
        email: trader.email,
        password: PASSWORD,
      }),
      401,
      'UNAUTHENTICATED',
    );
    // Gone from discovery; the follower's subscription ended and they were told.
    expect((await follower.client.get(`/api/traders/${trader.id}`)).status).toBe(404);
    const { subscriptions } = (await expectJson(await follower.client.get('/api/subscriptions'), 200)) as {
      subscriptions: Array<{ status: string }>;
    };
    expect(subscriptions.map((s) => s.status)).toEqual(['cancelled']);
    const { rows: told } = await t.sql(
      `SELECT type, data->>'traderId' AS trader FROM notifications WHERE user_id = $1 AND type = 'subscription_ended'`,
      [follower.id],
    );
    expect(told).toEqual([{ type: 'subscription_ended', trader: trader.id }]);
    // History stays.
    const { rows: kept } = await t.sql(`SELECT status FROM trades WHERE id = $1`, [order.id]);
    expect(kept).toEqual([{ status: 'filled' }]);
  });

  it('as a subscriber: my subscriptions end and the trader keeps their records', async () => {
    const trader = await signUpTrader(env.app, 'staying');
    const leaving = await signUp(env.app, 'leaving-follower');
    const sub = await expectJson(
      await leaving.client.post('/api/subscriptions', { traderId: trader.id }),
      201,
    );
    await expectJson(await deleteMe(leaving, PASSWORD), 200);
    const { rows } = await t.sql(
      `SELECT status, cancelled_at IS NOT NULL AS ended FROM subscriptions WHERE id = $1`,
      [sub.id],
    );
    expect(rows).toEqual([{ status: 'cancelled', ended: true }]);
    expect((await trader.client.get(`/api/traders/${trader.id}`)).status).toBe(200);
  });

  it('deregisters my SnapTrade user after the deletion commits', async () => {
    const member = await signUp(env.app, 'snaptrader');
    const registered = await connections.registerUser(member.id);
    await t.sql(`UPDATE users SET snaptrade_user_id = $2 WHERE id = $1`, [
      member.id,
      registered.snaptradeUserId,
    ]);
    await expectJson(await deleteMe(member, PASSWORD), 200);

    const { rows: jobs } = await t.sql<{ payload: { snaptradeUserId: string } }>(
      `SELECT j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
        WHERE k.identifier = 'deregister-snaptrade-user'`,
    );
    expect(jobs.map((j) => j.payload)).toContainEqual({ snaptradeUserId: registered.snaptradeUserId });
    const log = silentLogger();
    const worker = await startWorker({
      pool: t.pool,
      tasks: buildTasks(testJobDeps(t, { now: () => new Date(), trading: env.trading, config: env.config })),
      concurrency: 1,
      log,
    });
    const started = Date.now();
    const deregistered = () =>
      sim.exchanges.some(
        (e) =>
          e.operationId === 'Authentication_deleteSnapTradeUser' &&
          e.query.userId === registered.snaptradeUserId,
      );
    while (!deregistered() && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 100));
    await worker.stop();
    const deleted = sim.exchanges.filter(
      (e) =>
        e.operationId === 'Authentication_deleteSnapTradeUser' &&
        e.query.userId === registered.snaptradeUserId,
    );
    expect(deleted.map((e) => e.status)).toEqual([200]);
  });
});
