/**
 * BTO placements per second through the HTTP API with the paper broker, and their latency:
 * the real server (auth, validation, rate limit, services, triggers, broker) on the embedded
 * PostgreSQL, driven over loopback by concurrent signed-in clients.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startServer } from '../src/server';
import { benchDatabase, benchVapidEnv, type Figure, freePort, percentile } from './support';

const USERS = 100;
const ORDERS_PER_USER = 10; // the per-user limit is 10 a minute
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

type Client = { cookie: string };

async function signUp(url: string, origin: string, i: number): Promise<Client> {
  const res = await fetch(`${url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({
      email: `bench-${i}@example.test`,
      password: 'bench-password-1',
      name: `Bench ${i}`,
    }),
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const account = await fetch(`${url}/api/accounts/paper`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, cookie },
    body: JSON.stringify({ startingBalance: '1000000' }),
  });
  if (account.status !== 201) throw new Error(`paper account failed: ${account.status}`);
  return { cookie };
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await work(item);
      }
    }),
  );
}

export async function run(): Promise<Figure[]> {
  const database = await benchDatabase();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ...benchVapidEnv(),
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '20',
  });
  const server = await startServer({ config, log: createLogger(config), staticDir: null });
  try {
    const clients: Client[] = [];
    await pool(
      Array.from({ length: USERS }, (_, i) => i),
      8,
      async (i) => {
        clients.push(await signUp(publicUrl, publicUrl, i));
      },
    );
    const order = JSON.stringify({
      side: 'BTO',
      underlying: 'AAPL',
      optionType: 'call',
      strike: '150',
      expiration: '2030-01-18',
      quantity: 1,
    });
    const jobs = clients.flatMap((client) => Array.from({ length: ORDERS_PER_USER }, () => client));
    const latencies: number[] = [];
    const started = performance.now();
    await pool(jobs, CONCURRENCY, async (client) => {
      const t0 = performance.now();
      const res = await fetch(`${publicUrl}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: publicUrl, cookie: client.cookie },
        body: order,
      });
      const body = (await res.json()) as { status?: string };
      if (res.status !== 201 || body.status !== 'filled') {
        throw new Error(`order failed: ${res.status} ${JSON.stringify(body)}`);
      }
      latencies.push(performance.now() - t0);
    });
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return [
      { name: 'bto_placements_per_second', value: jobs.length / seconds, unit: 'orders/s' },
      { name: 'bto_latency_p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'bto_latency_p99', value: percentile(latencies, 99), unit: 'ms' },
    ];
  } finally {
    await server.stop();
    await database.stop();
  }
}
