/**
 * `GET /api/events` over real HTTP, served with its live hub (one LISTEN connection) as the
 * server runs it: a user's stream receives their own changes in order, and nobody else's; a
 * reconnect with Last-Event-ID replays exactly what was missed; heartbeats; the stream ends with
 * its session; a client that goes away or cannot keep up is let go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStream } from '../../src/http/event-stream';
import { notifyMany } from '../../src/services/notifications/notify';
import { TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { type LiveServer, sessionCookie, startLiveServer } from '../helpers/live-server';
import { openSse, payloads, type SseClient, type SseEvent } from '../helpers/sse';
import { expectJson, type Member, signUp } from '../subscriptions/helpers';

const t = useTestDatabase();
const SYMBOL = 'AAPL  300118C00150000';
const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' } as const;
/** Short, so the session checks that ride on heartbeats happen within the test. */
const HEARTBEAT_MS = 250;

let server: LiveServer;
const streams: SseClient[] = [];

beforeAll(async () => {
  // Tuesday 2026-11-24, 10:00 in New York: the market is open.
  server = await startLiveServer(t, {
    heartbeatMs: HEARTBEAT_MS,
    clock: new TestClock(new Date('2026-11-24T15:00:00Z')),
  });
  server.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
});

afterAll(async () => {
  for (const stream of streams) stream.close();
  await server.stop();
});

async function stream(member: Member, lastEventId?: string): Promise<SseClient> {
  const opened = await openSse(`${server.url}/api/events`, {
    cookie: sessionCookie(member.client),
    lastEventId,
  });
  streams.push(opened);
  return opened;
}

async function trader(prefix: string): Promise<Member> {
  const member = await signUp(server.app, prefix);
  await expectJson(await member.client.post('/api/accounts/paper', { startingBalance: '100000' }), 201);
  return member;
}

async function buy(member: Member, quantity = 1): Promise<{ id: string; positionId: string }> {
  const order = await expectJson(
    await member.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity }),
    201,
  );
  return { id: String(order.id), positionId: String(order.positionId) };
}

const filled = (orderId: string) => (events: SseEvent[]) =>
  payloads(events).some((e) => e.type === 'order' && e.orderId === orderId && e.status === 'filled');

const ids = (events: SseEvent[]) => events.map((e) => Number(e.id));

describe('a stream', () => {
  it('answers 401 without a session and 400 for a Last-Event-ID this API never sent', async () => {
    const anonymous = await openSse(`${server.url}/api/events`);
    expect(anonymous.status).toBe(401);
    anonymous.close();
    const ann = await signUp(server.app, 'ann-bad-id');
    const bad = await openSse(`${server.url}/api/events`, {
      cookie: sessionCookie(ann.client),
      lastEventId: 'x1',
    });
    expect(bad.status).toBe(400);
    bad.close();
  });

  it("carries the user's own changes, in order with increasing ids, and nothing of another user's", async () => {
    const ann = await trader('ann');
    const bob = await trader('bob');
    const annStream = await stream(ann);
    const bobStream = await stream(bob);
    expect(annStream.status).toBe(200);
    expect(annStream.headers['content-type']).toMatch(/^text\/event-stream/);

    const order = await buy(ann, 2);
    const events = await annStream.waitFor(filled(order.id));
    const received = payloads(events);
    expect(ids(events)).toEqual([...ids(events)].sort((a, b) => a - b));
    expect(new Set(ids(events)).size).toBe(events.length);
    expect(events.map((e) => e.event)).toEqual(received.map((e) => e.type));
    const orderEvents = received.filter((e) => e.type === 'order');
    expect(orderEvents.map((e) => [e.status, e.filledQuantity])).toEqual([
      ['pending', 0],
      ['filled', 2],
    ]);
    expect(orderEvents[1]).toMatchObject({
      orderId: order.id,
      positionId: order.positionId,
      symbol: SYMBOL,
      side: 'BTO',
      source: 'manual',
      quantity: 2,
    });
    expect(received).toContainEqual({ type: 'position', positionId: order.positionId, status: 'open' });

    // Bob heard nothing of Ann's order; his own change reaches him, and only his.
    await bobStream.waitForComment((c) => c === 'heartbeat');
    expect(bobStream.events).toEqual([]);
    const bobOrder = await buy(bob);
    await bobStream.waitFor(filled(bobOrder.id));
    const orderIds = new Set(payloads(bobStream.events).flatMap((e) => (e.orderId ? [e.orderId] : [])));
    expect(orderIds).toEqual(new Set([bobOrder.id]));
    expect(payloads(annStream.events).some((e) => e.orderId === bobOrder.id)).toBe(false);
  });

  it('after a reconnect with Last-Event-ID, gets exactly the missed events, in order, once, then live ones', async () => {
    const cai = await trader('cai');
    // Stays open throughout: what a client that never dropped received.
    const control = await stream(cai);
    const first = await stream(cai);
    const one = await buy(cai);
    await first.waitFor(filled(one.id));
    const resumeFrom = first.lastEventId();
    if (!resumeFrom) throw new Error('no event id');
    first.close();

    const missed = [await buy(cai), await buy(cai)];
    for (const order of missed) await control.waitFor(filled(order.id));
    const expected = control.events.filter((e) => Number(e.id) > Number(resumeFrom));

    const again = await stream(cai, resumeFrom);
    await again.waitFor((events) => events.length >= expected.length);
    const live = await buy(cai);
    await control.waitFor(filled(live.id));
    await again.waitFor(filled(live.id));
    const replayed = again.events.slice(0, expected.length);
    expect(replayed.map((e) => [e.id, e.event, e.data])).toEqual(
      expected.map((e) => [e.id, e.event, e.data]),
    );
    // Then live: the same as the control stream, nothing twice.
    const all = control.events.filter((e) => Number(e.id) > Number(resumeFrom));
    expect(again.events.map((e) => [e.id, e.data])).toEqual(all.map((e) => [e.id, e.data]));
  });

  it('tells every user of a notification fan-out their own notification with their unread count', async () => {
    const members = await Promise.all(['dee', 'eli', 'fay'].map((name) => signUp(server.app, name)));
    const opened = await Promise.all(members.map((m) => stream(m)));
    await notifyMany({
      tx: t.db,
      ctx: { now: () => new Date() },
      input: members.map((m, i) => ({
        userId: m.id,
        type: 'copy_trade_alert' as const,
        title: `For ${m.name}`,
        body: `number ${i}`,
      })),
    });
    for (const [i, s] of opened.entries()) {
      const events = await s.waitFor((e) => e.length >= 1);
      expect(events.map((e) => e.event)).toEqual(['notification']);
      expect(payloads(events)[0]).toMatchObject({
        notificationType: 'copy_trade_alert',
        title: `For ${members[i]?.name}`,
        read: false,
        unread: 1,
      });
    }
  });

  it('sends heartbeats, and ends when its session ends (sign-out); the reconnect answers 401', async () => {
    const gus = await signUp(server.app, 'gus');
    const cookie = sessionCookie(gus.client);
    const s = await stream(gus);
    await s.waitForComment((c) => c === 'heartbeat');
    await expectJson(await gus.client.post('/api/auth/sign-out'), 200);
    await s.ended;
    expect(s.comments).toContain('closed (session-ended)');
    // What EventSource does next: reconnect with the cookie it had.
    const again = await openSse(`${server.url}/api/events`, { cookie });
    expect(again.status).toBe(401);
    again.close();
  });

  it('ends when its session expires', async () => {
    const hal = await signUp(server.app, 'hal');
    const s = await stream(hal);
    await t.sql(`UPDATE sessions SET expires = now() - interval '1 second' WHERE user_id = $1`, [hal.id]);
    await s.ended;
    expect(s.comments).toContain('closed (session-ended)');
  });

  it('lets go of a client that goes away', async () => {
    const ivy = await signUp(server.app, 'ivy');
    const before = server.hub.size;
    const s = await openSse(`${server.url}/api/events`, { cookie: sessionCookie(ivy.client) });
    expect(server.hub.size).toBe(before + 1);
    s.close();
    for (let i = 0; i < 500 && server.hub.size > before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.hub.size).toBe(before);
  });

  it('cuts off a client that does not read, instead of holding its events in memory', async () => {
    const jo = await signUp(server.app, 'jo');
    const { rows } = await t.sql<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1', [jo.id]);
    const ended: string[] = [];
    const controller = new AbortController();
    // The body is never read: nothing drains the queue.
    await openEventStream({
      hub: server.hub,
      userId: jo.id,
      sessionId: rows[0]?.id ?? '',
      lastEventId: undefined,
      signal: controller.signal,
      onEnd: (reason) => ended.push(reason),
    });
    const body = 'x'.repeat(20_000);
    for (let i = 0; i < 8; i++) {
      await notifyMany({
        tx: t.db,
        ctx: { now: () => new Date() },
        input: Array.from({ length: 10 }, () => ({
          userId: jo.id,
          type: 'order_filled' as const,
          title: 't',
          body,
        })),
      });
    }
    for (let i = 0; i < 500 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ended).toEqual(['too-slow']);
    controller.abort();
  });
});
