/**
 * Runs once per `vitest run`: starts a throwaway embedded PostgreSQL (or uses
 * TEST_DATABASE_URL), migrates a template database, and hands its name to the test files,
 * which each clone their own database from it. Builds the web app if its sources changed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { apiPaths } from '../../src/cli/api-types';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { runMigrations } from '../../src/db/migrate';
import { ensureWebBuild } from '../../src/web-build';
import { freePort } from './ports';
import { databaseUrl } from './urls';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    /** The paths the API's OpenAPI document lists: tests of features other branches bring wait for theirs. */
    apiPaths: string[];
  }
}

export default async function setup(project: TestProject) {
  // Built once here, while the database starts, so test files that serve it never build it
  // at the same time as each other.
  const webBuild = ensureWebBuild();
  webBuild.catch(() => undefined); // its failure is thrown where it is awaited, below
  // The compiled server `npm start` runs, likewise built once before files start it.
  const serverBuild = promisify(execFile)(process.execPath, ['bin/alertsify.mjs', 'build']);
  serverBuild.catch(() => undefined);
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  if (!adminUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'alertsify-test-pg-'));
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      persistent: false,
      fast: true,
    });
    adminUrl = embedded.url();
    stopEmbedded = embedded.stop;
  }
  const template = `alertsify_tmpl_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await runMigrations(databaseUrl(adminUrl, template));
  await webBuild;
  await serverBuild;
  project.provide('apiPaths', [...(await apiPaths())]);
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);

  return async () => {
    // Drop the template and any test database a crashed file left behind.
    const left = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `${template}_t%`],
    );
    for (const { datname } of left.rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    await admin.end();
    await stopEmbedded?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
