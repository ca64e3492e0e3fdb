/**
 * The web app's production build (`web/dist`), made only when its sources changed: a start or a
 * test run on an unchanged checkout does not wait for Vite.
 *
 * Freshness is decided by content, not modification times (a fresh clone or a checkout of another
 * branch gives every file a new time): a hash of every file the build reads is kept beside the
 * build in `web/dist/.source-hash`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './data-dir';

export const WEB_ROOT = join(PROJECT_ROOT, 'web');
export const WEB_DIST = join(WEB_ROOT, 'dist');
const STAMP = join(WEB_DIST, '.source-hash');
const VITE = join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

function listFiles(dir: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir).sort()) {
    if (entry === 'dist' || entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) listFiles(path, into);
    else into.push(path);
  }
  return into;
}

/** A hash of the web sources and the dependency versions they are built with. */
export function webSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...listFiles(WEB_ROOT), join(PROJECT_ROOT, 'package-lock.json')]) {
    if (!existsSync(file)) continue;
    hash.update(relative(PROJECT_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function isWebBuildCurrent(sourceHash = webSourceHash()): boolean {
  return (
    existsSync(join(WEB_DIST, 'index.html')) &&
    existsSync(STAMP) &&
    readFileSync(STAMP, 'utf8').trim() === sourceHash
  );
}

export type WebBuildResult = 'current' | 'built' | 'no-sources' | 'no-builder';

/**
 * Build `web/dist` unless it matches the sources. The build runs as `npm run build:web` does, in
 * its own process and without the caller's NODE_ENV, so the bundle is always the production one.
 * Without Vite (a production install without dev dependencies) an existing build is served as is.
 */
export async function ensureWebBuild(options: { force?: boolean } = {}): Promise<WebBuildResult> {
  if (!existsSync(WEB_ROOT)) return 'no-sources';
  const sourceHash = webSourceHash();
  if (!options.force && isWebBuildCurrent(sourceHash)) return 'current';
  if (!existsSync(VITE)) return 'no-builder';
  const { NODE_ENV: _callerEnv, ...env } = process.env;
  await promisify(execFile)(
    process.execPath,
    [VITE, 'build', '--config', join(WEB_ROOT, 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: PROJECT_ROOT, env, timeout: 180_000 },
  );
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`the web build did not produce ${WEB_DIST}`);
  writeFileSync(STAMP, `${sourceHash}\n`);
  return 'built';
}
