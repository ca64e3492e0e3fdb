/**
 * Security checks driven by the app's own OpenAPI document: the document is read from the
 * running app, every operation is listed with its declared security, path parameters and
 * request body, and requests to it are built with a minimal valid body, so a route added later
 * is checked without a test being written for it.
 */
import { SESSION_COOKIE_NAME } from '../../src/auth';
import type { App } from '../../src/http/app';
import { OPENAPI_PATH, SESSION_SCHEME } from '../../src/http/openapi';
import { type Fetcher, TEST_PUBLIC_URL } from './app';
import type { TestDatabase } from './db';
import { asArray, asObject, type Json, type JsonObject, jsonSchemaOf, resolveRef } from './openapi';

export type { Json } from './openapi';

export type OpenApiDocument = JsonObject & { paths: JsonObject };

/**
 * How an operation declares who may call it: `session` (the session cookie), `public`
 * (`security: []`), `undeclared` (nothing said, on the operation or the document) or
 * `other` (a scheme the walker does not know how to test).
 */
export type DeclaredSecurity = 'session' | 'public' | 'undeclared' | 'other';

export type Operation = {
  operationId: string;
  method: string;
  /** As written in the document: `/api/orders/{id}/cancel`. */
  template: string;
  security: DeclaredSecurity;
  /** Path parameter names, in the order they appear in the template. */
  pathParams: string[];
  /** Query parameters the operation requires (sent with a minimal value). */
  requiredQuery: Array<{ name: string; schema: Json }>;
  requestBody: { required: boolean; schema: Json } | null;
};

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

export async function fetchOpenApiDocument(app: App): Promise<OpenApiDocument> {
  const res = await app.request(OPENAPI_PATH);
  if (res.status !== 200) throw new Error(`${OPENAPI_PATH} answered ${res.status}`);
  const document = (await res.json()) as Json;
  const object = asObject(document);
  if (!object || !asObject(object.paths)) throw new Error(`${OPENAPI_PATH} has no paths`);
  return object as OpenApiDocument;
}

/** Every operation of the document. An operation without an operationId is an error here. */
export function listOperations(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, itemNode] of Object.entries(document.paths)) {
    const item = asObject(itemNode) ?? {};
    for (const method of METHODS) {
      const operation = asObject(item[method]);
      if (!operation) continue;
      if (typeof operation.operationId !== 'string') {
        throw new Error(`${method.toUpperCase()} ${template} has no operationId`);
      }
      const parameters = [...asArray(item.parameters), ...asArray(operation.parameters)]
        .map((node) => asObject(resolveRef(document, node)))
        .filter((parameter): parameter is JsonObject => parameter !== null);
      const body = asObject(resolveRef(document, operation.requestBody));
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        template,
        security: declaredSecurity(operation.security ?? document.security),
        pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? ''),
        requiredQuery: parameters
          .filter((parameter) => parameter.in === 'query' && parameter.required === true)
          .map((parameter) => ({ name: String(parameter.name), schema: parameter.schema ?? {} })),
        requestBody: body ? { required: body.required === true, schema: jsonSchemaOf(body) ?? {} } : null,
      });
    }
  }
  return operations;
}

function declaredSecurity(security: Json | undefined): DeclaredSecurity {
  if (security === undefined) return 'undeclared';
  const requirements = asArray(security);
  if (requirements.length === 0) return 'public';
  const onlySession = requirements.every((requirement) => {
    const schemes = Object.keys(asObject(requirement) ?? {});
    return schemes.length === 1 && schemes[0] === SESSION_SCHEME;
  });
  return onlySession ? 'session' : 'other';
}

/** The template up to and including the parameter: `/api/subscriptions/{id}` for its `{id}`. */
export function resourcePathOf(template: string, param: string): string {
  const marker = `{${param}}`;
  return template.slice(0, template.indexOf(marker) + marker.length);
}

/**
 * The smallest value `schema` accepts: required properties only, the first enum value or
 * alternative, the lower bound of numbers. Throws on what it cannot satisfy (a pattern), so
 * the caller gives a known-good value instead of sending something the route refuses.
 */
export function minimalValue(document: OpenApiDocument, schemaNode: Json, where = 'body'): Json {
  const schema = asObject(resolveRef(document, schemaNode));
  if (!schema) return {};
  if ('const' in schema) return schema.const ?? null;
  const enumValues = asArray(schema.enum);
  if (enumValues.length > 0) return enumValues.find((value) => value !== null) ?? null;
  const alternatives = [...asArray(schema.oneOf), ...asArray(schema.anyOf)].filter(
    (alternative) => asObject(resolveRef(document, alternative))?.type !== 'null',
  );
  if (alternatives.length > 0) return minimalValue(document, alternatives[0] ?? {}, where);
  const parts = asArray(schema.allOf);
  if (parts.length > 0) {
    const merged: JsonObject = {};
    for (const part of parts) Object.assign(merged, asObject(minimalValue(document, part, where)) ?? {});
    return merged;
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  const type = types.find((candidate) => candidate !== 'null') ?? 'null';
  switch (type) {
    case 'object': {
      const properties = asObject(schema.properties) ?? {};
      const value: JsonObject = {};
      for (const name of asArray(schema.required)) {
        if (typeof name !== 'string') continue;
        value[name] = minimalValue(document, properties[name] ?? {}, `${where}.${name}`);
      }
      return value;
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: count }, () => minimalValue(document, schema.items ?? {}, `${where}[]`));
    }
    case 'string':
      return minimalString(schema, where);
    case 'integer':
    case 'number':
      return minimalNumber(schema);
    case 'boolean':
      return false;
    default:
      return null;
  }
}

const STRING_BY_FORMAT: Record<string, string> = {
  email: 'someone@example.com',
  date: '2030-01-18',
  'date-time': '2030-01-18T15:00:00.000Z',
  uri: 'https://app.example/',
  url: 'https://app.example/',
  uuid: '00000000-0000-4000-8000-000000000000',
};

function minimalString(schema: JsonObject, where: string): string {
  if (typeof schema.pattern === 'string') {
    throw new Error(`${where}: cannot make a string matching ${schema.pattern}; give a known-good body`);
  }
  const byFormat = typeof schema.format === 'string' ? STRING_BY_FORMAT[schema.format] : undefined;
  if (byFormat !== undefined) return byFormat;
  const length = typeof schema.minLength === 'number' ? Math.max(schema.minLength, 1) : 1;
  return 'x'.repeat(length);
}

function minimalNumber(schema: JsonObject): number {
  if (typeof schema.minimum === 'number') return schema.minimum;
  if (typeof schema.exclusiveMinimum === 'number') {
    return schema.type === 'integer' ? Math.floor(schema.exclusiveMinimum) + 1 : schema.exclusiveMinimum + 1;
  }
  return 1;
}

/**
 * Sends one request to `operation`: path parameters filled from `pathValues`, required query
 * parameters and the body (when the operation has one) minimal unless `body` is given, the app's
 * Origin like its own page, and the session cookie when `sessionToken` is given.
 */
export function callOperation(
  fetcher: Fetcher,
  document: OpenApiDocument,
  operation: Operation,
  options: { pathValues: Record<string, string>; sessionToken?: string; body?: Json },
): Promise<Response> {
  const path = operation.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = options.pathValues[name];
    if (value === undefined) throw new Error(`${operation.operationId}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const parameter of operation.requiredQuery) {
    query.set(parameter.name, String(minimalValue(document, parameter.schema, parameter.name)));
  }
  const headers = new Headers();
  if (options.sessionToken !== undefined) {
    headers.set('cookie', `${SESSION_COOKIE_NAME}=${options.sessionToken}`);
  }
  if (operation.method !== 'GET') headers.set('origin', TEST_PUBLIC_URL);
  let body: string | undefined;
  if (operation.requestBody) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(options.body ?? minimalValue(document, operation.requestBody.schema));
  }
  const search = query.size > 0 ? `?${query}` : '';
  return Promise.resolve(
    fetcher(`http://localhost${path}${search}`, { method: operation.method, headers, body }),
  );
}

/**
 * A real session of `userId` whose end has passed. better-auth deletes an expired session when
 * it sees one, so `ensure()` puts the row back (still expired) before each use: every check then
 * meets an expired session, not a missing one.
 */
export async function expireSessions(
  t: TestDatabase,
  userId: string,
): Promise<{ ensure: () => Promise<void> }> {
  const { rows } = await t.sql<{ row: Json }>(
    `UPDATE sessions SET expires = now() - interval '1 minute' WHERE user_id = $1
     RETURNING row_to_json(sessions.*) AS row`,
    [userId],
  );
  if (rows.length === 0) throw new Error(`user ${userId} has no session to expire`);
  return {
    ensure: async () => {
      for (const { row } of rows) {
        await t.sql(
          `INSERT INTO sessions SELECT * FROM json_populate_record(NULL::sessions, $1::json)
           ON CONFLICT (id) DO UPDATE SET expires = EXCLUDED.expires`,
          [JSON.stringify(row)],
        );
      }
      const { rows: live } = await t.sql('SELECT 1 FROM sessions WHERE user_id = $1 AND expires > now()', [
        userId,
      ]);
      if (live.length > 0) throw new Error(`user ${userId} still has a live session`);
    },
  };
}
