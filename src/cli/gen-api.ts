/**
 * `npm run gen:api`: build the app in this process (its database is never reached: the document
 * is made from the registered routes alone), read `/api/openapi.json` from it and write the web
 * app's types.
 */
import { randomBytes } from 'node:crypto';
import { createAuth } from '../auth';
import { loadConfig } from '../config';
import { createDb, createPool } from '../db/client';
import { createApp } from '../http/app';
import { OPENAPI_PATH } from '../http/openapi';
import { createLogger } from '../logger';
import { buildTradingDeps } from '../runtime';
import { API_TYPES_FILE, renderApiTypes, writeApiTypes } from './api-types';

const config = loadConfig({
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  AUTH_SECRET: randomBytes(32).toString('base64url'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  // Never connected to: no request in this process reaches the database.
  DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
});
const log = createLogger(config);
const pool = createPool(config.databaseUrl ?? '', 1);
const db = createDb(pool);
const app = createApp({
  db,
  config,
  log,
  auth: createAuth({ db, config, log }),
  trading: buildTradingDeps({ db, config }),
});
const response = await app.request(OPENAPI_PATH);
if (response.status !== 200) throw new Error(`${OPENAPI_PATH} answered ${response.status}`);
writeApiTypes(await renderApiTypes(await response.json()));
await pool.end();
console.log(`API types written to ${API_TYPES_FILE}`);
