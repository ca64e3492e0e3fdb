/**
 * `npm start` to the first healthy answer of /api/health, on a fresh data directory (the
 * PostgreSQL cluster is created and migrated) and on a warm one (the same directory again).
 * The web build is made current first: an unchanged checkout does not rebuild it at start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWebBuild } from '../src/web-build';
import { startEntryPoint, stopChild } from '../test/helpers/entry-point';
import { type Figure, freePort, percentile } from './support';

const WARM_RUNS = 3;

/** Seconds from spawning the entry point to its first 200 from /api/health. */
async function timeToHealthy(env: NodeJS.ProcessEnv): Promise<number> {
  const port = Number(env.PORT);
  const began = performance.now();
  const starting = startEntryPoint({ env });
  let healthyAt: number | undefined;
  while (healthyAt === undefined) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) healthyAt = performance.now();
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { child } = await starting;
  const code = await stopChild(child);
  if (code !== 0) throw new Error(`npm start exited with ${code}`);
  return (healthyAt - began) / 1000;
}

export async function run(): Promise<Figure[]> {
  await ensureWebBuild();
  const dataDir = mkdtempSync(join(tmpdir(), 'alertsify-bench-start-'));
  try {
    const env = {
      NODE_ENV: 'development',
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    const fresh = await timeToHealthy(env);
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) warm.push(await timeToHealthy(env));
    warm.sort((a, b) => a - b);
    return [
      { name: 'start_fresh_seconds', value: fresh, unit: 's' },
      { name: 'start_warm_seconds', value: percentile(warm, 50), unit: 's' },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
