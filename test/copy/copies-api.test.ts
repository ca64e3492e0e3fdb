/**
 * Copy trading through the API and the worker: approvals (approve executes at market, dismiss,
 * lapse after 15 minutes), the copy log, a broker error for one subscriber failing only that
 * copy, and the whole path from a trader's order to subscribers' fills run by a real worker.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../src/jobs/runner';
import { buildTasks } from '../../src/jobs/tasks';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { lapseApprovals } from '../../src/services/copy/lapse-approvals';
import { buildTestApp, HttpClient, inProcess, silentLogger, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { testJobDeps } from '../helpers/jobs';
import { confirmEmail } from '../subscriptions/helpers';
import { CONTRACT, SYMBOL } from './support';

const t = useTestDatabase();
const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
let env: TestApp;
const workers: WorkerHandle[] = [];
type Json = Record<string, unknown>;

beforeAll(() => {
  env = buildTestApp(t, { clock });
  env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
});
afterAll(async () => {
  for (const w of workers) await w.stop();
});

async function json(res: Response, status: number): Promise<Json> {
  const body = (await res.json()) as Json;
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

let seq = 0;
async function user(
  name: string,
  cash: string | null = '100000',
): Promise<{ client: HttpClient; id: string; email: string }> {
  seq += 1;
  const client = new HttpClient(inProcess(env.app, `192.0.2.${seq}`));
  const email = `${name}${seq}@example.test`;
  const body = await json(
    await client.post('/api/auth/sign-up/email', {
      email,
      password: 'correct horse battery',
      name,
    }),
    200,
  );
  if (cash) await json(await client.post('/api/accounts/paper', { startingBalance: cash }), 201);
  return { client, id: (body.user as Json).id as string, email };
}

async function follow(follower: HttpClient, traderId: string, settings: Json): Promise<string> {
  const body = await json(await follower.post('/api/subscriptions', { traderId, settings }), 201);
  return body.id as string;
}

const system = () => ({
  db: t.db,
  actor: { type: 'system', job: 'test' } as const,
  now: clock.now,
  log: silentLogger(),
});

describe('copy trading through the API', () => {
  it('approvals: approve executes at market, dismiss drops, an unanswered copy lapses after 15 minutes', async () => {
    const boss = await user('boss');
    await confirmEmail(env.app, boss);
    await json(await boss.client.post('/api/me/trader'), 200);
    const approver = await user('approver');
    const dismisser = await user('dismisser');
    const sleeper = await user('sleeper');
    const subs = await Promise.all(
      [approver, dismisser, sleeper].map((u) =>
        follow(u.client, boss.id, { autoExecute: false, scalingFactor: 2 }),
      ),
    );
    clock.advance(61_000);
    const order = await json(
      await boss.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 3 }),
      201,
    );
    await fanOutCopies({ ctx: system(), deps: env.trading, input: { tradeId: order.id as string } });

    const inbox = await json(await approver.client.get('/api/copies?outcome=pending_approval'), 200);
    const waiting = (inbox.copies as Json[])[0];
    expect(waiting).toMatchObject({
      outcome: 'pending_approval',
      side: 'BTO',
      copyQuantity: 6,
      copyOrder: null,
    });
    const { rows: alerts } = await t.db.execute<{ type: string }>(
      sql`SELECT type FROM notifications WHERE user_id = ${approver.id} AND type = 'copy_trade_alert'`,
    );
    expect(alerts).toHaveLength(1);

    clock.advance(5 * 60_000);
    const approved = await json(await approver.client.post(`/api/copies/${waiting?.id}/approve`), 200);
    expect(approved.copyTradeId).toBeTruthy();
    const log = await json(await approver.client.get(`/api/subscriptions/${subs[0]}/copies`), 200);
    expect((log.copies as Json[])[0]).toMatchObject({
      outcome: 'approved',
      copyQuantity: 6,
      copiedQuantity: 6,
      copyOrder: { status: 'filled', filledQuantity: 6, filledPrice: '2.5000' },
    });
    // Copy timing: the trader filled at the order, the copy was decided, sent, accepted and
    // filled on approval five minutes later, at the trader's price.
    const traderFilledAt = new Date(clock.now().getTime() - 5 * 60_000).toISOString();
    expect((log.copies as Json[])[0]?.timing).toEqual({
      traderFilledAt,
      decidedAt: clock.now().toISOString(),
      sentAt: clock.now().toISOString(),
      acceptedAt: clock.now().toISOString(),
      filledAt: clock.now().toISOString(),
      traderFillPrice: '2.5000',
      fillPrice: '2.5000',
      priceDifference: '0.0000',
    });
    // Approving twice, or someone else's copy, is refused.
    await json(await approver.client.post(`/api/copies/${waiting?.id}/approve`), 422);
    await json(await dismisser.client.post(`/api/copies/${waiting?.id}/dismiss`), 404);

    const dismissable = ((await json(await dismisser.client.get('/api/copies'), 200)).copies as Json[])[0];
    await json(await dismisser.client.post(`/api/copies/${dismissable?.id}/dismiss`), 200);
    const dismissed = await json(await dismisser.client.get(`/api/subscriptions/${subs[1]}/copies`), 200);
    expect((dismissed.copies as Json[])[0]).toMatchObject({ outcome: 'dismissed', copyOrder: null });

    // The sleeper never answers: 15 minutes after the decision it lapses, and cannot be approved.
    clock.advance(10 * 60_000 + 1);
    expect((await lapseApprovals({ ctx: system() })).lapsed).toBe(1);
    const lapsed = ((await json(await sleeper.client.get('/api/copies'), 200)).copies as Json[])[0];
    expect(lapsed).toMatchObject({ outcome: 'lapsed' });
    await json(await sleeper.client.post(`/api/copies/${lapsed?.id}/approve`), 422);
  });

  it('a stale opening approval is scaled to what the trader still holds, and refused 409 (lapsed, source_closed) once the trader has closed', async () => {
    const boss = await user('boss');
    await confirmEmail(env.app, boss);
    await json(await boss.client.post('/api/me/trader'), 200);
    const early = await user('early');
    const late = await user('late');
    const subs = await Promise.all(
      [early, late].map((u) => follow(u.client, boss.id, { autoExecute: false })),
    );
    clock.advance(61_000);
    const order = await json(
      await boss.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 4 }),
      201,
    );
    await fanOutCopies({ ctx: system(), deps: env.trading, input: { tradeId: order.id as string } });
    const waiting = async (u: typeof early) =>
      ((await json(await u.client.get('/api/copies?outcome=pending_approval'), 200)).copies as Json[])[0];
    const earlyCopy = await waiting(early);
    const lateCopy = await waiting(late);
    expect(earlyCopy).toMatchObject({ side: 'BTO', copyQuantity: 4 });

    // The trader sells 2 of 4: approving now buys round_half_down(4 × 2 / 4) = 2.
    const sell = { side: 'STC', positionId: order.positionId, quantity: 2 };
    const firstSale = await json(await boss.client.post('/api/orders', sell), 201);
    await json(await early.client.post(`/api/copies/${earlyCopy?.id}/approve`), 200);
    // That sale's fan-out, running after the approval, finds the copy at its target: 2 mirror 2.
    await fanOutCopies({ ctx: system(), deps: env.trading, input: { tradeId: firstSale.id as string } });
    const earlyLog = await json(await early.client.get(`/api/subscriptions/${subs[0]}/copies`), 200);
    expect((earlyLog.copies as Json[]).find((c) => c.id === earlyCopy?.id)).toMatchObject({
      outcome: 'approved',
      copyQuantity: 2,
      copyOrder: { status: 'filled', filledQuantity: 2 },
    });
    expect((earlyLog.copies as Json[]).find((c) => c.sourceTradeId === firstSale.id)).toMatchObject({
      outcome: 'skipped',
      reason: 'at_target',
    });

    // The trader closes: a late approval would open a position nothing will ever close.
    await json(await boss.client.post('/api/orders', sell), 201);
    const refused = await json(await late.client.post(`/api/copies/${lateCopy?.id}/approve`), 409);
    expect(refused.error).toMatchObject({
      code: 'CONFLICT',
      details: { outcome: 'lapsed', reason: 'source_closed' },
    });
    const lateLog = await json(await late.client.get(`/api/subscriptions/${subs[1]}/copies`), 200);
    expect((lateLog.copies as Json[]).find((c) => c.id === lateCopy?.id)).toMatchObject({
      outcome: 'lapsed',
      reason: 'source_closed',
      copyOrder: null,
    });
    const { rows } = await t.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM parent_trades WHERE user_id = ${late.id}`,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('a broker error for one subscriber fails that copy with its reason; the others go on', async () => {
    const boss = await user('boss');
    await confirmEmail(env.app, boss);
    await json(await boss.client.post('/api/me/trader'), 200);
    const rich = await user('rich');
    const poor = await user('poor', '100');
    await follow(rich.client, boss.id, { autoExecute: true });
    const poorSub = await follow(poor.client, boss.id, { autoExecute: true });
    clock.advance(61_000);
    const order = await json(
      await boss.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 2 }),
      201,
    );
    const result = await fanOutCopies({
      ctx: system(),
      deps: env.trading,
      input: { tradeId: order.id as string },
    });
    expect(result).toMatchObject({ decided: 2, executed: 2, sent: 2 });
    const poorLog = await json(await poor.client.get(`/api/subscriptions/${poorSub}/copies`), 200);
    expect((poorLog.copies as Json[])[0]).toMatchObject({
      outcome: 'failed',
      reason: 'broker_rejected',
      copyOrder: { status: 'rejected' },
    });
    expect(String((poorLog.copies as Json[])[0]?.detail)).toMatch(/buying power/i);
    const richOrders = await json(await rich.client.get('/api/orders'), 200);
    expect((richOrders.orders as Json[])[0]).toMatchObject({
      source: 'copy',
      status: 'filled',
      filledQuantity: 2,
    });
  });

  it('a real worker takes a trader’s fill to every subscriber and tells them', async () => {
    const boss = await user('boss');
    await confirmEmail(env.app, boss);
    await json(await boss.client.post('/api/me/trader'), 200);
    const followers = await Promise.all([1, 2, 3].map((i) => user(`follower${i}`)));
    for (const f of followers) await follow(f.client, boss.id, { autoExecute: true });
    workers.push(
      await startWorker({
        pool: t.pool,
        tasks: buildTasks(testJobDeps(t, { now: clock.now, trading: env.trading, config: env.config })),
        concurrency: 2,
        log: silentLogger(),
        pollIntervalMs: 100,
      }),
    );
    clock.advance(61_000);
    const order = await json(
      await boss.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 1 }),
      201,
    );
    for (const f of followers) {
      let notified: string | undefined;
      for (let i = 0; i < 200 && !notified; i++) {
        const { rows } = await t.db.execute<{ type: string }>(sql`
          SELECT type FROM notifications WHERE user_id = ${f.id} AND type = 'copy_trade_executed'`);
        notified = rows[0]?.type;
        if (!notified) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(notified).toBe('copy_trade_executed');
      const orders = await json(await f.client.get('/api/orders'), 200);
      expect((orders.orders as Json[])[0]).toMatchObject({
        sourceTradeId: order.id,
        status: 'filled',
        filledQuantity: 1,
      });
    }
  });
});
