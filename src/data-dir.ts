/**
 * Where an instance keeps its files (the embedded PostgreSQL cluster, generated secrets) when
 * DATA_DIR is not set.
 *
 * As an ordinary user: `./.data` in the working folder. As root, the embedded PostgreSQL runs as
 * the `postgres` system user, which often cannot enter the checkout (a home directory or a
 * `mktemp -d` folder is private), so the data lives under ROOT_DATA_HOME instead, in a folder
 * named after this checkout's real path: two checkouts never share a database, and the same
 * checkout finds its data again after a restart.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT_DATA_HOME = '/var/lib/alertsify';

/**
 * The checkout this code runs from: the nearest folder above this module with a package.json.
 * Found by walking up rather than by a fixed `..`, because the same module runs from `src/`
 * under tsx and from the compiled bundle in `dist/server/<hash>/`.
 */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The folder under ROOT_DATA_HOME that belongs to the checkout at `projectRoot`. */
export function rootDataDir(projectRoot: string): string {
  const real = realpathSync(projectRoot);
  const key = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const name = basename(real).replace(/[^A-Za-z0-9._-]/g, '_') || 'alertsify';
  return join(ROOT_DATA_HOME, `${name}-${key}`);
}

export function defaultDataDir(uid = userInfo().uid, projectRoot = PROJECT_ROOT): string {
  return uid === 0 ? rootDataDir(projectRoot) : resolve('.data');
}
