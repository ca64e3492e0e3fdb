/**
 * `npm run worker` as a real process on a test's database (`src/worker.ts` through tsx), killed
 * after the file if still running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export type WorkerProcess = {
  child: ChildProcess;
  /** Resolves when the worker says it runs; rejects if it exits first. */
  ready: Promise<void>;
  /** The exit signal, or `code N`. */
  exited: Promise<string>;
};

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export function startWorkerProcess(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-worker-')),
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      WORKER_CONCURRENCY: '2',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Alertsify worker running')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`worker exited before it was ready:\n${output}`)));
  });
  // A worker made to die may die before it says it is ready; only callers who wait for
  // readiness care, and they still see the rejection.
  ready.catch(() => undefined);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
  );
  return { child, ready, exited };
}
