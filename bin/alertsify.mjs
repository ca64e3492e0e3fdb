#!/usr/bin/env node
/**
 * `npm start` and `npm run worker` run the compiled server, not TypeScript through tsx: loading
 * the TypeScript sources through a transpiler on every start costs seconds, the bundle a fraction.
 *
 * The bundle is made by esbuild into `dist/server/<hash>/`, where the hash covers every file it is
 * built from, so it is rebuilt only when the sources (or the dependency versions) changed, and
 * two processes starting at once never overwrite each other's files: each builds into a folder
 * of its own and moves it into place. Without esbuild (an install without dev dependencies)
 * the newest existing build is used: build it beforehand with `npm run build`.
 *
 * Usage: node bin/alertsify.mjs start|worker|admin …|build
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, 'dist', 'server');
const ENTRIES = { start: 'main', worker: 'worker', admin: 'cli/admin' };
/** Builds kept besides the current one (another checkout state may still be running them). */
const KEEP_OLD_BUILDS = 2;

function listFiles(dir, into = []) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) listFiles(path, into);
    else into.push(path);
  }
  return into;
}

function sourceHash() {
  const hash = createHash('sha256');
  const files = [
    ...listFiles(join(ROOT, 'src')),
    join(ROOT, 'package-lock.json'),
    join(ROOT, 'tsconfig.json'),
    fileURLToPath(import.meta.url),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch {
    return undefined;
  }
}

/** Newest-first list of finished builds. */
function builds() {
  if (!existsSync(OUT)) return [];
  return readdirSync(OUT)
    .filter((name) => /^[0-9a-f]{16}$/.test(name) && existsSync(join(OUT, name, 'main.js')))
    .map((name) => ({ name, time: statSync(join(OUT, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time)
    .map((b) => b.name);
}

async function build(hash, esbuild) {
  const temp = join(OUT, `.building-${process.pid}-${Date.now()}`);
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.values(ENTRIES).map((name) => `src/${name}.ts`),
    outdir: temp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  try {
    renameSync(temp, join(OUT, hash));
  } catch (error) {
    // Another process finished the same build first: theirs is identical.
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(join(OUT, hash, 'main.js'))) throw error;
  }
  for (const old of builds().slice(KEEP_OLD_BUILDS + 1)) {
    rmSync(join(OUT, old), { recursive: true, force: true });
  }
}

/** The folder of a build matching the sources, made if needed. */
export async function ensureServerBuild() {
  const hash = sourceHash();
  if (existsSync(join(OUT, hash, 'main.js'))) return join(OUT, hash);
  const esbuild = await loadEsbuild();
  if (esbuild) {
    await build(hash, esbuild);
    return join(OUT, hash);
  }
  const newest = builds()[0];
  if (!newest) {
    throw new Error('no server build in dist/server and esbuild is not installed: run `npm run build`');
  }
  console.warn(`esbuild is not installed: running the existing build ${newest}`);
  return join(OUT, newest);
}

const command = process.argv[2];
if (command === 'build') {
  console.log(`server built in ${relative(ROOT, await ensureServerBuild())}`);
} else if (command in ENTRIES) {
  process.setSourceMapsEnabled(true);
  // The entry reads its own arguments from argv[2] on, as if started directly.
  process.argv.splice(2, 1);
  const dir = await ensureServerBuild();
  await import(pathToFileURL(join(dir, `${ENTRIES[command]}.js`)).href);
} else {
  console.error('usage: node bin/alertsify.mjs start|worker|admin …|build');
  process.exitCode = 2;
}
