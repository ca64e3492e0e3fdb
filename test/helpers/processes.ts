/** Real processes for tests: the entry point started as `npm start` runs it, killed after the file. */
import type { ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';
import { type StartedEntryPoint, startEntryPoint as start } from './entry-point';

export { stopChild } from './entry-point';
export { freePort } from './ports';

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

export function startEntryPoint(
  options: Omit<Parameters<typeof start>[0], 'onSpawn'>,
): Promise<StartedEntryPoint> {
  return start({ ...options, onSpawn: (child) => started.push(child) });
}
