/**
 * `npx tsx bench/bto-statements.ts`: the statements and transactions one paper BTO through HTTP
 * sends to PostgreSQL on its request path (session, rate limit, order, broker, answer, final
 * read), counted at the `pg` client. The job workers are not started, so only the request is
 * counted; the jobs it enqueues run later. Needs BENCH_DATABASE_URL (or the local server at
 * 127.0.0.1:5432) and prints one JSON line per figure, with the statements themselves on stderr
 * when BENCH_SHOW_STATEMENTS is set.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startServer } from '../src/server';
import { benchDatabase, benchVapidEnv, freePort, print } from './support';

process.env.BENCH_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const seen: string[] = [];
/** The live-events hub sequences the outbox on its own after any commit that wrote events. */
const isLiveHub = (query: unknown) =>
  JSON.stringify(typeof query === 'object' && query && 'text' in query ? query.text : query).includes(
    'sequence_event_outbox',
  );
let counting = false;
const original = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
  if (counting && !isLiveHub(args[0])) {
    const first = args[0];
    const text =
      typeof first === 'string'
        ? first
        : first && typeof first === 'object' && 'text' in first
          ? String((first as { text: unknown }).text)
          : String(first);
    seen.push(text.replace(/\s+/g, ' ').trim());
  }
  return original.apply(this, args);
};

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
});
const server = await startServer({ config, log: createLogger(config), staticDir: null, startables: [] });
try {
  const headers = { 'content-type': 'application/json', origin: publicUrl };
  const signUp = await fetch(`${publicUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email: 'count@example.test', password: 'bench-password-1', name: 'Count' }),
  });
  const cookie = signUp.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  await fetch(`${publicUrl}/api/accounts/paper`, {
    method: 'POST',
    headers: { ...headers, cookie },
    body: JSON.stringify({ startingBalance: '1000000' }),
  });
  const order = JSON.stringify({
    side: 'BTO',
    underlying: 'AAPL',
    optionType: 'call',
    strike: '150',
    expiration: '2030-01-18',
    quantity: 1,
  });
  // The first order opens the position, the second adds to it: both are counted.
  for (const name of ['first', 'second']) {
    seen.length = 0;
    counting = true;
    const res = await fetch(`${publicUrl}/api/orders`, {
      method: 'POST',
      headers: { ...headers, cookie },
      body: order,
    });
    const body = (await res.json()) as { status?: string };
    counting = false;
    if (res.status !== 201 || body.status !== 'filled') throw new Error(`order failed: ${res.status}`);
    const transactions = seen.filter((text) => /^BEGIN\b/i.test(text)).length;
    const commits = seen.filter((text) => /^COMMIT\b/i.test(text)).length;
    // Outside a transaction each statement commits on its own.
    let depth = 0;
    let autocommits = 0;
    for (const text of seen) {
      if (/^BEGIN\b/i.test(text)) depth++;
      else if (/^(COMMIT|ROLLBACK)\b/i.test(text)) depth = Math.max(0, depth - 1);
      else if (depth === 0) autocommits++;
    }
    print({ name: `bto_statements_${name}`, value: seen.length, unit: 'statements' });
    print({ name: `bto_transactions_${name}`, value: transactions + autocommits, unit: 'transactions' });
    print({ name: `bto_explicit_commits_${name}`, value: commits, unit: 'commits' });
    if (process.env.BENCH_SHOW_STATEMENTS) {
      for (const text of seen) console.error(`  ${text.slice(0, 160)}`);
    }
  }
} finally {
  await server.stop();
  await database.stop();
}
process.exit(0);
