/**
 * Analytics (issue 10) on a database holding a year of history: 100,000 closed positions
 * (about 290,000 orders) over 2,000 users of whom 100 traders, written through the fill
 * trigger (bench/analytics-history.ts). Measured through the real HTTP app, in process, one
 * request at a time, as a user with 20,000 positions and as one with 1,000:
 * p50 and p99 of every analytics endpoint, of the leaderboard, of the trader profile of each,
 * and the time of one full refresh of the materialized views.
 *
 * Targets: p99 under 50 ms per endpoint, refresh under 2 s. The machine is shared: the load
 * average during the run is printed beside the figures, and the refresh's CPU time (of the
 * database process that ran it, read from /proc) beside its wall time.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { loadConfig } from '../src/config';
import { createDb, createPool } from '../src/db/client';
import { runMigrations } from '../src/db/migrate';
import { createApp } from '../src/http/app';
import { buildTradingDeps } from '../src/runtime';
import { HttpClient, inProcess, TEST_PUBLIC_URL } from '../test/helpers/app';
import { seedAnalyticsHistory } from './analytics-history';
import { benchDatabase, type Figure, percentile } from './support';

/** Requests per endpoint and user, after as many unmeasured ones. */
const SAMPLES = 200;
const WARM_UP = 20;

/** The endpoints a signed-in user's analytics pages call, by a short name. */
const USER_ENDPOINTS: Record<string, string> = {
  summary: '/api/analytics/summary',
  summary_manual: '/api/analytics/summary?source=manual',
  periods: '/api/analytics/periods',
  positions: '/api/analytics/positions',
  positions_by_pnl: '/api/analytics/positions?sort=pnl&source=manual',
  positions_filtered: '/api/analytics/positions?underlying=NVDA&result=win',
  underlyings: '/api/analytics/underlyings',
  daily: '/api/analytics/daily',
  daily_year_weeks: '/api/analytics/daily?interval=week&from=',
  curve: '/api/analytics/curve',
  heatmap: '/api/analytics/heatmap',
};

async function signUp(client: HttpClient, email: string): Promise<string> {
  const res = await client.post('/api/auth/sign-up/email', {
    email,
    password: 'correct horse battery staple',
    name: email,
  });
  const body = (await res.json()) as { user?: { id: string } };
  if (!body.user) throw new Error(`sign-up of ${email} failed: ${res.status}`);
  return body.user.id;
}

/** p50 and p99 of `path` in ms, asserting every answer is a 200. */
async function measure(client: HttpClient, path: string): Promise<{ p50: number; p99: number }> {
  const timings: number[] = [];
  for (let i = -WARM_UP; i < SAMPLES; i++) {
    const started = performance.now();
    const res = await client.get(path);
    await res.arrayBuffer();
    const elapsed = performance.now() - started;
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    if (i >= 0) timings.push(elapsed);
  }
  timings.sort((a, b) => a - b);
  return { p50: percentile(timings, 50), p99: percentile(timings, 99) };
}

/** CPU time (user + system, ms) a process has used, or null where /proc cannot tell. */
function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

export async function run(): Promise<Figure[]> {
  const database = await benchDatabase();
  await runMigrations(database.url);
  const pool = createPool(database.url, 10);
  const db = createDb(pool);
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    PUBLIC_URL: TEST_PUBLIC_URL,
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  });
  const log = pino({ level: 'silent' });
  const app = createApp({ db, config, log, trading: buildTradingDeps({ db, config }) });
  const client = (n: number) => new HttpClient(inProcess(app, `198.51.100.${n}`));
  const big = client(1);
  const small = client(2);
  const follower = client(3);
  const anonymous = client(4);
  const figures: Figure[] = [];
  try {
    // Users 1 and 2 are the traders with 20,000 and 1,000 positions; 101 a follower.
    const existing = new Map([
      [1, await signUp(big, 'trader-20k@bench.test')],
      [2, await signUp(small, 'trader-1k@bench.test')],
      [101, await signUp(follower, 'follower@bench.test')],
    ]);
    const seedStarted = performance.now();
    const history = await seedAnalyticsHistory(database.url, existing);
    figures.push(
      { name: 'analytics_positions', value: history.positions, unit: 'positions' },
      { name: 'analytics_orders', value: history.orders, unit: 'orders' },
      { name: 'analytics_seed_seconds', value: (performance.now() - seedStarted) / 1000, unit: 's' },
    );

    // One refresh to populate, then the measured one (the steady state: the debounced job and
    // the CRON fallback always refresh views already populated).
    const refresher = await pool.connect();
    try {
      await refresher.query('SELECT refresh_analytics()');
      const { rows } = await refresher.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]?.pid ?? 0;
      const cpuBefore = cpuMs(pid);
      const started = performance.now();
      await refresher.query('SELECT refresh_analytics()');
      figures.push({ name: 'analytics_refresh', value: performance.now() - started, unit: 'ms' });
      const cpuAfter = cpuMs(pid);
      if (cpuBefore !== null && cpuAfter !== null) {
        figures.push({ name: 'analytics_refresh_cpu', value: cpuAfter - cpuBefore, unit: 'ms' });
      }
    } finally {
      refresher.release();
    }

    const yearAgo = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
    for (const [who, member] of [
      ['20k', big],
      ['1k', small],
    ] as const) {
      for (const [name, path] of Object.entries(USER_ENDPOINTS)) {
        const { p50, p99 } = await measure(member, path.endsWith('from=') ? `${path}${yearAgo}` : path);
        figures.push(
          { name: `analytics_${name}_${who}_p50`, value: p50, unit: 'ms' },
          { name: `analytics_${name}_${who}_p99`, value: p99, unit: 'ms' },
        );
      }
    }
    const [bigTrader, smallTrader] = history.bigTraderIds;
    const publicPaths: Record<string, string> = {
      leaderboard: '/api/traders',
      leaderboard_7d_by_win_rate: '/api/traders?period=7d&sort=winRate',
      leaderboard_search: '/api/traders?q=bench_00',
      trader_profile_20k: `/api/traders/${bigTrader}`,
      trader_profile_1k: `/api/traders/${smallTrader}`,
    };
    for (const [name, path] of Object.entries(publicPaths)) {
      const { p50, p99 } = await measure(anonymous, path);
      figures.push(
        { name: `${name}_p50`, value: p50, unit: 'ms' },
        { name: `${name}_p99`, value: p99, unit: 'ms' },
      );
    }
    const mine = (await (await follower.get('/api/analytics/subscriptions')).json()) as {
      subscriptions: Array<{ subscriptionId: string }>;
    };
    const one = mine.subscriptions[0]?.subscriptionId;
    if (!one) throw new Error('the follower has no subscription');
    for (const [name, path] of Object.entries({
      subscription_statistics_all: '/api/analytics/subscriptions',
      subscription_statistics_one: `/api/subscriptions/${one}/statistics`,
    })) {
      const { p50, p99 } = await measure(follower, path);
      figures.push(
        { name: `${name}_p50`, value: p50, unit: 'ms' },
        { name: `${name}_p99`, value: p99, unit: 'ms' },
      );
    }
    figures.push({ name: 'load_average_1m', value: loadavg()[0] ?? 0, unit: 'runnable processes (2 cores)' });
  } finally {
    await pool.end();
    await database.stop();
  }
  return figures;
}
