import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateVapidKeys } from '../src/config';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { ensureDatabase } from '../src/db/ensure-database';
import { freePort } from '../test/helpers/ports';

export type Figure = { name: string; value: number; unit: string };

export function print(figure: Figure): void {
  console.log(JSON.stringify({ ...figure, value: Number(figure.value.toFixed(3)) }));
}

export { freePort } from '../test/helpers/ports';

/**
 * A fresh embedded PostgreSQL with the app's own settings (durable commits, as `npm start`
 * runs), in a throwaway directory.
 */
export async function benchDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  // BENCH_DATABASE_URL: a server of your own instead (to read its logs, e.g. auto_explain); the
  // benchmark works in a fresh database there and drops it at the end.
  const server = process.env.BENCH_DATABASE_URL;
  if (server) {
    const name = `alertsify_bench_${process.pid}`;
    const url = await ensureDatabase(server, name);
    // BENCH_EXPLAIN_MS: log the plan of every statement slower than that, nested ones included.
    const explainMs = process.env.BENCH_EXPLAIN_MS;
    if (explainMs) {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      for (const setting of [
        `session_preload_libraries = 'auto_explain'`,
        `auto_explain.log_min_duration = ${Number(explainMs)}`,
        'auto_explain.log_nested_statements = on',
        'auto_explain.log_analyze = on',
        'auto_explain.log_triggers = on',
        `track_functions = 'pl'`,
      ])
        await client.query(`ALTER DATABASE ${name} SET ${setting}`);
      await client.end();
    }
    return {
      url,
      stop: async () => {
        const client = new pg.Client({ connectionString: server });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'alertsify-bench-'));
  const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const url = await ensureDatabase(embedded.url(), 'alertsify_bench');
  return {
    url,
    stop: async () => {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

/** The VAPID settings production requires (PRODUCT.md §4), fresh for a benchmark run. */
export function benchVapidEnv(): Record<'VAPID_PUBLIC_KEY' | 'VAPID_PRIVATE_KEY' | 'VAPID_SUBJECT', string> {
  const keys = generateVapidKeys();
  return {
    VAPID_PUBLIC_KEY: keys.publicKey,
    VAPID_PRIVATE_KEY: keys.privateKey,
    VAPID_SUBJECT: 'mailto:bench@alertsify.test',
  };
}
