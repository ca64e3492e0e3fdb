/**
 * The live stream across two real server processes (`npm start`'s entry point) on one database:
 * a stream opened on process A receives the order placed through process B; a reconnect to B with
 * Last-Event-ID gets exactly the events missed, in order, none twice; another user's stream
 * receives nothing; both processes stop cleanly with streams open.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, TEST_VAPID } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import type { StartedEntryPoint } from '../helpers/entry-point';
import { sessionCookie } from '../helpers/live-server';
import { freePort, startEntryPoint, stopChild } from '../helpers/processes';
import { openSse, payloads, type SseClient, type SseEvent } from '../helpers/sse';
import { expectJson } from '../subscriptions/helpers';

const t = useTestDatabase();
const CONTRACT = { underlying: 'MSFT', optionType: 'call', strike: '400', expiration: '2030-01-18' } as const;
const secrets = {
  AUTH_SECRET: randomBytes(32).toString('base64url'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  VAPID_PUBLIC_KEY: TEST_VAPID.publicKey,
  VAPID_PRIVATE_KEY: TEST_VAPID.privateKey,
  VAPID_SUBJECT: TEST_VAPID.subject,
};

type Process = StartedEntryPoint & { base: string; origin: string };
let a: Process;
let b: Process;
const streams: SseClient[] = [];

async function start(): Promise<Process> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const started = await startEntryPoint({
    env: {
      ...secrets,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: t.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-live-')),
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: origin,
      RUN_WORKERS: 'false',
    },
  });
  return { ...started, base: `http://127.0.0.1:${port}`, origin };
}

beforeAll(async () => {
  [a, b] = await Promise.all([start(), start()]);
}, 180_000);

afterAll(async () => {
  for (const s of streams) s.close();
});

/** A browser of `process`: signs up there; its cookie works on either process. */
async function member(process: Process, name: string) {
  const client = new HttpClient((url, init) => fetch(url, init), process.base, process.origin);
  const email = `${name}-${randomBytes(3).toString('hex')}@example.com`;
  const body = await expectJson(
    await client.post('/api/auth/sign-up/email', { email, password: 'correct horse battery', name }),
    200,
  );
  return { client, id: (body.user as { id: string }).id };
}

/** The same browser (its session cookie) posting to another process. */
function on(process: Process, who: { client: HttpClient }) {
  const client = new HttpClient((url, init) => fetch(url, init), process.base, process.origin);
  const cookie = sessionCookie(who.client);
  return {
    post: (path: string, json?: unknown) => client.request('POST', path, { json, headers: { cookie } }),
  };
}

async function stream(process: Process, who: { client: HttpClient }, lastEventId?: string) {
  const opened = await openSse(`${process.base}/api/events`, {
    cookie: sessionCookie(who.client),
    lastEventId,
  });
  expect(opened.status).toBe(200);
  streams.push(opened);
  return opened;
}

const filled = (orderId: string) => (events: SseEvent[]) =>
  payloads(events).some((e) => e.type === 'order' && e.orderId === orderId && e.status === 'filled');

describe('two server processes on one database', () => {
  it('deliver across processes, replay on reconnect, and keep users apart', async () => {
    const ann = await member(a, 'ann');
    const bob = await member(a, 'bob');
    await expectJson(await on(b, ann).post('/api/accounts/paper', { startingBalance: '100000' }), 201);

    const annOnA = await stream(a, ann);
    const control = await stream(b, ann);
    const bobOnA = await stream(a, bob);

    // Placed through B, heard on A.
    const first = await expectJson(
      await on(b, ann).post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 1 }),
      201,
    );
    await annOnA.waitFor(filled(String(first.id)));
    expect(
      payloads(annOnA.events)
        .filter((e) => e.orderId === first.id)
        .map((e) => e.status),
    ).toEqual(['pending', 'filled']);
    const resumeFrom = annOnA.lastEventId();
    if (!resumeFrom) throw new Error('no event id');
    annOnA.close();

    // Missed while disconnected.
    const missed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const order = await expectJson(
        await on(b, ann).post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 1 }),
        201,
      );
      missed.push(String(order.id));
    }
    for (const id of missed) await control.waitFor(filled(id));
    const expected = control.events.filter((e) => Number(e.id) > Number(resumeFrom));

    // Reconnect to the other process, from the last event seen.
    const resumed = await stream(b, ann, resumeFrom);
    await resumed.waitFor((events) => events.length >= expected.length);
    // Give a duplicate the chance to show up before comparing.
    await resumed.waitForComment(() => true);
    expect(resumed.events.map((e) => [e.id, e.event, e.data])).toEqual(
      expected.map((e) => [e.id, e.event, e.data]),
    );
    const resumedIds = resumed.events.map((e) => Number(e.id));
    expect(resumedIds.every((id, i) => i === 0 || id > (resumedIds[i - 1] ?? 0))).toBe(true);
    expect(resumedIds[0] ?? 0).toBeGreaterThan(Number(resumeFrom));
    for (const id of missed) expect(filled(id)(resumed.events)).toBe(true);

    // What the database kept for Ann after that id is exactly what was replayed.
    const { rows } = await t.sql<{ id: string }>(
      'SELECT seq::text AS id FROM event_outbox WHERE user_id = $1 AND seq > $2 ORDER BY event_outbox.seq',
      [ann.id, resumeFrom],
    );
    expect(rows.map((r) => r.id)).toEqual(resumed.events.map((e) => e.id));

    // Bob's stream on A heard nothing of Ann's orders.
    expect(bobOnA.events).toEqual([]);
  }, 120_000);

  it('both stop cleanly with streams open, ending them first', async () => {
    const cal = await member(a, 'cal');
    const onA = await stream(a, cal);
    const onB = await stream(b, cal);
    const [codeA, codeB] = await Promise.all([stopChild(a.child), stopChild(b.child)]);
    expect([codeA, codeB]).toEqual([0, 0]);
    await Promise.all([onA.ended, onB.ended]);
    expect(onA.comments).toContain('closed (server-stopping)');
    expect(onB.comments).toContain('closed (server-stopping)');
  }, 60_000);
});
