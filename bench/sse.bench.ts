/**
 * The live stream (issue 9): 1,000 open `GET /api/events` streams on one server process (the
 * real entry point, its own process), one per user, read by clients in this process over
 * loopback. Measured:
 *
 * - delivery latency from the commit of a change (a notification for one user, written by
 *   another connection as any service would) to the event read by that user's client: through
 *   the outbox trigger, NOTIFY, the numbering step, the process's one LISTEN connection and its
 *   fan-out, HTTP; p50 and p99 over sequential changes;
 * - one statement notifying all 1,000 users: commit to the last of the 1,000 events read;
 * - the server process's memory per open stream: how its RSS grows from 500 to 1,000 open streams,
 *   per stream (the slope leaves out what grows once, like V8's young generation), and its RSS
 *   with all streams open minus before, per stream.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type StartedEntryPoint, startEntryPoint, stopChild } from '../test/helpers/entry-point';
import { openSse, type SseClient } from '../test/helpers/sse';
import { benchDatabase, benchVapidEnv, type Figure, freePort, percentile } from './support';

const STREAMS = 1_000;
const SAMPLES = 300;
const COOKIE = 'alertsify.session_token';

/** better-auth's signed session cookie: the token, '.', base64 HMAC-SHA256 of it with AUTH_SECRET. */
function signedCookie(token: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(token).digest('base64');
  return `${COOKIE}=${encodeURIComponent(`${token}.${signature}`)}`;
}

function rssKilobytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match?.[1]) throw new Error('no VmRSS');
  return Number(match[1]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

export async function run(): Promise<Figure[]> {
  const database = await benchDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const secret = randomBytes(32).toString('base64url');
  let server: StartedEntryPoint | undefined;
  const streams: SseClient[] = [];
  const db = new pg.Client({ connectionString: database.url, options: '-c timezone=UTC' });
  try {
    server = await startEntryPoint({
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-bench-sse-')),
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: base,
        AUTH_SECRET: secret,
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        ...benchVapidEnv(),
        LOG_LEVEL: 'warn',
        RUN_WORKERS: 'false',
      },
    });
    const pid = server.child.pid;
    if (!pid) throw new Error('no server pid');
    await db.connect();

    // The cookie format checked against a real sign-up, so the crafted sessions are real ones.
    const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ email: 'probe@bench.test', password: 'bench-password-1', name: 'Probe' }),
    });
    const probe =
      signUp.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${COOKIE}=`))
        ?.split(';')[0] ?? '';
    const token = decodeURIComponent(probe.slice(COOKIE.length + 1)).split('.')[0] ?? '';
    if (probe !== signedCookie(token, secret)) throw new Error('session cookie format changed');

    // 1,000 users, each signed in (sessions written as better-auth writes them).
    const { rows: users } = await db.query<{ id: string; token: string }>(
      `WITH u AS (
         INSERT INTO users (email, name) SELECT 'sse-' || g || '@bench.test', 'User ' || g
           FROM generate_series(1, $1::int) g RETURNING id
       )
       INSERT INTO sessions (id, session_token, user_id, expires)
       SELECT 'bench-session-' || u.id, 'bench-token-' || u.id || '-' || md5(random()::text), u.id,
              now() AT TIME ZONE 'UTC' + interval '1 day'
         FROM u
       RETURNING user_id AS id, session_token AS token`,
      [STREAMS],
    );

    await sleep(1_000);
    const rssBefore = rssKilobytes(pid);
    const waiting = new Map<string, (at: number) => void>();
    const open = (some: typeof users) =>
      inBatches(some, 50, async (user) => {
        const stream = await openSse(`${base}/api/events`, {
          cookie: signedCookie(user.token, secret),
          onEvent: (event) => {
            const notificationId = (JSON.parse(event.data) as { notificationId?: string }).notificationId;
            const resolve = notificationId ? waiting.get(notificationId) : undefined;
            if (notificationId && resolve) {
              waiting.delete(notificationId);
              resolve(event.receivedAt);
            }
          },
        });
        if (stream.status !== 200) throw new Error(`stream answered ${stream.status}`);
        streams.push(stream);
      });
    const half = users.length / 2;
    await open(users.slice(0, half));
    await sleep(2_000);
    const rssHalf = rssKilobytes(pid);
    await open(users.slice(half));
    await sleep(2_000);
    const rssWith = rssKilobytes(pid);

    // Sequential single-user changes: commit → event read.
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES + 20; i++) {
      const user = users[(i * 7919) % users.length];
      if (!user) continue;
      await db.query('BEGIN');
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO notifications (user_id, type, title, body) VALUES ($1, 'order_filled', 'Order filled', 'bench')
         RETURNING id`,
        [user.id],
      );
      const id = rows[0]?.id ?? '';
      const read = new Promise<number>((resolve) => waiting.set(id, resolve));
      await db.query('COMMIT');
      const committed = performance.now();
      const at = await read;
      if (i >= 20) latencies.push(at - committed); // the first ones warm the paths up
    }
    latencies.sort((a, b) => a - b);

    // One statement telling every user: commit → the last of the events read.
    await db.query('BEGIN');
    const { rows: all } = await db.query<{ id: string }>(
      `INSERT INTO notifications (user_id, type, title, body)
       SELECT id, 'copy_trade_alert', 'Copy trade waiting', 'bench' FROM users WHERE email LIKE 'sse-%'
       RETURNING id`,
    );
    const reads = all.map((row) => new Promise<number>((resolve) => waiting.set(row.id, resolve)));
    await db.query('COMMIT');
    const committed = performance.now();
    const fanOutMs = Math.max(...(await Promise.all(reads))) - committed;

    return [
      { name: 'sse_open_streams', value: streams.length, unit: 'streams' },
      { name: 'sse_delivery_latency_p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'sse_delivery_latency_p99', value: percentile(latencies, 99), unit: 'ms' },
      { name: 'sse_fanout_1000_users_last_event', value: fanOutMs, unit: 'ms' },
      { name: 'sse_memory_per_stream', value: (rssWith - rssHalf) / (streams.length - half), unit: 'KB' },
      { name: 'sse_memory_per_stream_overall', value: (rssWith - rssBefore) / streams.length, unit: 'KB' },
    ];
  } finally {
    for (const stream of streams) stream.close();
    await db.end().catch(() => undefined);
    if (server) await stopChild(server.child);
    await database.stop();
  }
}
