/**
 * `npm start` as root from a checkout inside a private folder (mode 0700, like a home directory
 * or a `mktemp -d` folder): the embedded PostgreSQL runs as the `postgres` system user, which
 * cannot enter that folder, so its binaries and data must live elsewhere. The server must start,
 * answer health, keep its data across a restart, stop cleanly, and leave the folder's mode alone.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DATA_HOME, rootDataDir } from '../../src/data-dir';
import { freePort, startEntryPoint, stopChild } from '../helpers/processes';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const asRoot = userInfo().uid === 0;

/** This checkout's files as a fresh clone has them (tracked and new, not ignored), plus its installed packages. */
function copyCheckout(into: string): void {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: REPO_ROOT })
    .toString()
    .split('\0')
    .filter((file) => file && existsSync(join(REPO_ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    copyFileSync(join(REPO_ROOT, file), join(into, file));
  }
  // Hard links: as `npm ci` would lay them out, in a fraction of the time.
  execFileSync('cp', ['-al', join(REPO_ROOT, 'node_modules'), join(into, 'node_modules')]);
}

const privateFolder = asRoot ? mkdtempSync(join(tmpdir(), 'alertsify-private-')) : '';
const checkout = join(privateFolder, 'alertsify');
let dataDir: string | undefined;

afterAll(() => {
  if (!asRoot) return;
  rmSync(privateFolder, { recursive: true, force: true });
  if (dataDir?.startsWith(`${ROOT_DATA_HOME}/`)) rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!asRoot)('npm start as root from a private folder', () => {
  it('starts, keeps its data across a restart, stops cleanly, and leaves the folder private', async () => {
    expect(statSync(privateFolder).mode & 0o777).toBe(0o700);
    copyCheckout(checkout);
    dataDir = rootDataDir(checkout);
    const port = await freePort();
    const env = {
      NODE_ENV: 'development',
      DATABASE_URL: '',
      DATA_DIR: '',
      PORT: String(port),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    const origin = `http://localhost:${port}`;
    const user = {
      name: 'Root Reader',
      email: `root-${randomBytes(4).toString('hex')}@example.com`,
      password: 'a long enough password',
    };

    const first = await startEntryPoint({ cwd: checkout, env });
    expect(first.output).toContain(`Data: ${join(dataDir, 'pg')}`);
    const health = await fetch(`${first.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'up' });
    const signUp = await fetch(`${first.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify(user),
    });
    expect(signUp.status).toBe(200);
    // The web app was built by the start, since the fresh checkout had none.
    expect((await fetch(first.url)).headers.get('content-type')).toContain('text/html');
    expect(await stopChild(first.child)).toBe(0);
    // A clean stop: PostgreSQL removed its lock file on the way out.
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = await startEntryPoint({ cwd: checkout, env });
    const signIn = await fetch(`${second.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(signIn.status).toBe(200);
    expect(await stopChild(second.child)).toBe(0);

    expect(statSync(privateFolder).mode & 0o777).toBe(0o700);
  }, 180_000);
});
