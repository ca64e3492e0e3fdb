/**
 * `npx tsx bench/bto-statements.ts`: the statements and transactions one paper BTO through HTTP
 * sends to PostgreSQL on its request path (session, rate limit, order, broker, answer), counted
 * at the `pg` client. The job workers are not started, so only the request is counted; the jobs
 * it enqueues run later. Uses BENCH_DATABASE_URL (default: the local server at 127.0.0.1:5432)
 * and prints one JSON line per figure, with the statements on stderr when BENCH_SHOW_STATEMENTS
 * is set.
 */
import pg from 'pg';
import { ORDER, signUp, startBenchServer } from './bto-placement.bench';
import { benchDatabase, print } from './support';

process.env.BENCH_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const seen: string[] = [];
let counting = false;
const textOf = (query: unknown): string =>
  typeof query === 'string'
    ? query
    : query && typeof query === 'object' && 'text' in query
      ? String(query.text)
      : String(query);
const original = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
  const text = textOf(args[0]);
  // The live-events hub sequences the outbox on its own after any commit that wrote events.
  if (counting && !text.includes('sequence_event_outbox')) seen.push(text.replace(/\s+/g, ' ').trim());
  return original.apply(this, args);
};

const database = await benchDatabase();
const { server, publicUrl } = await startBenchServer(database.url, { workers: false });
try {
  const { cookie } = await signUp(publicUrl, publicUrl, 0);
  // The first order opens the position, the second adds to it: both are counted.
  for (const name of ['first', 'second']) {
    seen.length = 0;
    counting = true;
    const res = await fetch(`${publicUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: publicUrl, cookie },
      body: ORDER,
    });
    const body = (await res.json()) as { status?: string };
    counting = false;
    if (res.status !== 201 || body.status !== 'filled') throw new Error(`order failed: ${res.status}`);
    // Outside a transaction each statement commits on its own.
    let depth = 0;
    let transactions = 0;
    for (const text of seen) {
      if (/^BEGIN\b/i.test(text)) {
        depth++;
        transactions++;
      } else if (/^(COMMIT|ROLLBACK)\b/i.test(text)) depth = Math.max(0, depth - 1);
      else if (depth === 0) transactions++;
    }
    print({ name: `bto_statements_${name}`, value: seen.length, unit: 'statements' });
    print({ name: `bto_transactions_${name}`, value: transactions, unit: 'transactions' });
    if (process.env.BENCH_SHOW_STATEMENTS) {
      for (const text of seen) console.error(`  ${text.slice(0, 160)}`);
    }
  }
} finally {
  await server.stop();
  await database.stop();
}
process.exit(0);
