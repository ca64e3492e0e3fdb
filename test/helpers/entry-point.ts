/**
 * The product's entry point started as `npm start` runs it, for tests and benchmarks (nothing
 * here depends on the test runner).
 */
import { type ChildProcess, spawn } from 'node:child_process';

export { freePort } from './ports';

export type StartedEntryPoint = { child: ChildProcess; url: string; output: string };

/**
 * Start the product as `npm start` does (the compiled server, built first if its sources changed;
 * in `cwd`, with `env` over this process's environment) and resolve once it prints its URL, with
 * everything it printed so far.
 */
export async function startEntryPoint(options: {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Told of the process as soon as it exists, so a caller can clean up after a failed start. */
  onSpawn?: (child: ChildProcess) => void;
}): Promise<StartedEntryPoint> {
  const child = spawn(process.execPath, ['bin/alertsify.mjs', 'start'], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let output = '';
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise<StartedEntryPoint>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Ready once both lines are out: the URL, then where the data lives.
      const url = /Alertsify is running at (\S+)\nData: [^\n]+\n/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

/** Ctrl-C, as a person stops `npm start`; resolves with the exit code. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}
