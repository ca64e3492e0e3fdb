/**
 * The web app's API types (`web/src/api/schema.d.ts`) are those of the running server's
 * document: a route changed without `npm run gen:api` fails here, naming the script.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, renderApiTypes } from '../../src/cli/api-types';
import { buildTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { fetchOpenApiDocument } from '../helpers/security';

const t = useTestDatabase();

describe('the web app’s generated API types', () => {
  it('match the OpenAPI document the server serves (else run `npm run gen:api`)', async () => {
    const { app } = buildTestApp(t);
    const expected = await renderApiTypes(await fetchOpenApiDocument(app));
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    expect(committed === expected, 'web/src/api/schema.d.ts is stale: run `npm run gen:api`').toBe(true);
  });
});
