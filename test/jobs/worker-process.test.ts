/**
 * `npm run worker`: a separate process that only runs jobs, against DATABASE_URL. A job
 * committed here is done there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createPosition, createTrade, createUser } from '../helpers/factories';

const t = useTestDatabase();
let worker: ChildProcess | undefined;
afterAll(() => {
  worker?.kill('SIGKILL');
});

describe('npm run worker', () => {
  it('runs jobs committed by another process and stops cleanly on SIGTERM', async () => {
    const user = await createUser(t.db);
    const account = await createAccount(t.db, user.id);
    const position = await createPosition(t.db, user.id);
    const trade = await createTrade(t.db, position, account.id, {
      action: 'buy',
      quantity: 3,
      price: '1.25',
    });

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-worker-')),
        LOG_LEVEL: 'warn',
        NODE_ENV: 'development',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Alertsify worker running')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
    });

    await enqueue(t.db, 'order-updated', { updates: [{ tradeId: trade.id, changes: ['filled'] }] });
    let body: string | undefined;
    for (let i = 0; i < 200 && !body; i++) {
      const { rows } = await t.sql<{ body: string }>('SELECT body FROM notifications WHERE user_id = $1', [
        user.id,
      ]);
      body = rows[0]?.body;
      if (!body) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(body).toBe('BTO 3 of 3 × AAPL 150 C 2030-01-18 @ 1.2500');

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
