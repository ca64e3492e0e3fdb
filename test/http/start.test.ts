/**
 * `npm start` with no DATABASE_URL: the real entry point starts its own embedded PostgreSQL in a
 * fresh data directory, migrates, serves /api/health with the database up, and stops cleanly on
 * Ctrl-C (SIGINT), keeping the data for the next start.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startEntryPoint, stopChild } from '../helpers/processes';

const dataDir = mkdtempSync(join(tmpdir(), 'alertsify-start-'));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on the embedded database', () => {
  it('serves /api/health with the database up, stops on SIGINT, and starts again on its data', async () => {
    const env = {
      DATABASE_URL: '',
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    const first = await startEntryPoint({ env });
    expect(first.output).toContain(`Data: ${join(dataDir, 'pg')}`);
    const health = await fetch(`${first.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'up' });
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'secrets.json'))).toBe(true);
    expect(await stopChild(first.child)).toBe(0);

    const second = await startEntryPoint({ env });
    const again = await fetch(`${second.url}/api/health`);
    expect(await again.json()).toMatchObject({ status: 'ok', database: 'up' });
    expect(await stopChild(second.child)).toBe(0);
  }, 120_000);
});
