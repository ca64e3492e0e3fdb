/**
 * BTO placements per second through the HTTP API with the paper broker, and their latency:
 * the real server as `npm start` runs it (auth, validation, rate limit, services, triggers,
 * broker, and the job workers in the same process) on the embedded PostgreSQL, driven over
 * loopback by signed-in clients, at 16 clients and at 1. Each is divided by the raw
 * order-shaped transaction rate measured on the same database in the same run (raw-order.ts).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { jobWorkers } from '../src/jobs/worker-startable';
import { createLogger } from '../src/logger';
import { startServer } from '../src/server';
import { type Rate, rawOrderRate } from './raw-order';
import { benchDatabase, benchVapidEnv, type Figure, freePort, percentile } from './support';

const ORDERS_PER_USER = 10; // the per-user limit is 10 a minute
/** Clients at once, and the users (× 10 orders) each run places orders for. */
const RUNS = [
  { clients: 16, users: 100 },
  { clients: 1, users: 20 },
];

type Client = { cookie: string };

export async function signUp(url: string, origin: string, i: number): Promise<Client> {
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

export const ORDER = JSON.stringify({
  side: 'BTO',
  underlying: 'AAPL',
  optionType: 'call',
  strike: '150',
  expiration: '2030-01-18',
  quantity: 1,
});

/** Every order of `clients`' users, `concurrency` at a time, through the HTTP API. */
async function placeAll(publicUrl: string, users: Client[], concurrency: number): Promise<Rate> {
  const jobs = users.flatMap((client) => Array.from({ length: ORDERS_PER_USER }, () => client));
  const latencies: number[] = [];
  const started = performance.now();
  await pool(jobs, concurrency, async (client) => {
    const t0 = performance.now();
    const res = await fetch(`${publicUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: publicUrl, cookie: client.cookie },
      body: ORDER,
    });
    const body = (await res.json()) as { status?: string };
    if (res.status !== 201 || body.status !== 'filled') {
      throw new Error(`order failed: ${res.status} ${JSON.stringify(body)}`);
    }
    latencies.push(performance.now() - t0);
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: jobs.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The server as `npm start` runs it, on `databaseUrl`, with or without the job workers. */
export async function startBenchServer(databaseUrl: string, options: { workers: boolean }) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ...benchVapidEnv(),
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '20',
  });
  const server = await startServer({
    config,
    log: createLogger(config),
    staticDir: null,
    startables: options.workers ? [jobWorkers()] : [],
  });
  return { server, publicUrl };
}

export async function run(): Promise<Figure[]> {
  const database = await benchDatabase();
  const { server, publicUrl } = await startBenchServer(database.url, { workers: true });
  const figures: Figure[] = [];
  try {
    let signedUp = 0;
    for (const { clients, users } of RUNS) {
      const members: Client[] = [];
      const first = signedUp;
      signedUp += users;
      await pool(
        Array.from({ length: users }, (_, i) => first + i),
        8,
        async (i) => {
          members.push(await signUp(publicUrl, publicUrl, i));
        },
      );
      const product = await placeAll(publicUrl, members, clients);
      const raw = await rawOrderRate(database.url, clients, Math.max(500, users * ORDERS_PER_USER));
      figures.push(
        { name: `bto_per_second_${clients}`, value: product.perSecond, unit: 'orders/s' },
        { name: `bto_latency_p50_${clients}`, value: product.p50, unit: 'ms' },
        { name: `bto_latency_p99_${clients}`, value: product.p99, unit: 'ms' },
        { name: `raw_order_tx_per_second_${clients}`, value: raw.perSecond, unit: 'tx/s' },
        { name: `raw_order_tx_p99_${clients}`, value: raw.p99, unit: 'ms' },
        { name: `bto_vs_raw_${clients}`, value: product.perSecond / raw.perSecond, unit: 'ratio' },
        { name: `bto_p99_vs_raw_p99_${clients}`, value: product.p99 / raw.p99, unit: 'ratio' },
      );
    }
    return figures;
  } finally {
    await server.stop();
    await database.stop();
  }
}
