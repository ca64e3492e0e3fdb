/**
 * Validates HTTP exchanges against an OpenAPI 3.0 document with Ajv: path parameters, query
 * parameters and the JSON body of a request, the status and JSON body of a response.
 *
 * OpenAPI 3.0 schemas are not quite JSON Schema, so each schema is rewritten once on load:
 * - `nullable: true` becomes `type: [t, 'null']` (and `null` joins an `enum`); without a `type`
 *   (`nullable` beside `allOf`, or bare `properties`) the schema becomes `anyOf: [schema, null]`;
 * - `$ref: '#/components/schemas/X'` points into one registered schema holding every component,
 *   so references (recursive ones included) resolve through Ajv;
 * - `example` is dropped; `discriminator` is ignored (its `oneOf` with `kind` enums still decides).
 * Formats come from ajv-formats, plus the spec's own `decimal` and `url`.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export type ValidationResult = { valid: boolean; errors: string[] };

export type RequestToValidate = {
  method: string;
  /** The concrete path, e.g. `/accounts/917c…/orders`. */
  path: string;
  query?: Record<string, string | string[]> | URLSearchParams;
  /** Parsed JSON body; undefined when there is none. */
  body?: unknown;
};

export type ResponseToValidate = { method: string; path: string; status: number; body: unknown };

export type OpenApiSpec = {
  /** Every operationId of the document. */
  operationIds(): string[];
  findOperation(
    method: string,
    path: string,
  ): { operationId: string; pathParams: Record<string, string> } | null;
  validateRequest(request: RequestToValidate): ValidationResult & { operationId: string | null };
  validateResponse(response: ResponseToValidate): ValidationResult & { operationId: string | null };
  /** Validates data against `#/components/schemas/<name>`. */
  validateComponent(name: string, data: unknown): ValidationResult;
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

type Parameter = { name: string; in: string; required: boolean; schema: Json };
type Operation = {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  paramNames: string[];
  parameters: Parameter[];
  requestBody: { required: boolean; schema: Json | null } | null;
  responses: Record<string, { schema: Json | null }>;
};

const SPEC_ID = 'https://alertsify.test/openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function loadOpenApiSpec(file: string): OpenApiSpec {
  const document = parse(readFileSync(file, 'utf8')) as JsonObject;
  return createOpenApiSpec(document);
}

export function createOpenApiSpec(document: JsonObject): OpenApiSpec {
  const components = asObject(document.components) ?? {};
  const componentSchemas = asObject(components.schemas) ?? {};

  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('decimal', /^[+-]?(\d+(\.\d*)?|\.\d+)$/);
  ajv.addFormat('url', { type: 'string', validate: (value: string) => URL.canParse(value) });
  const definitions: JsonObject = {};
  for (const [name, schema] of Object.entries(componentSchemas)) definitions[name] = toJsonSchema(schema);
  ajv.addSchema({ $id: SPEC_ID, definitions });

  // Query parameters that security schemes add (clientId, timestamp) are expected, not unknown.
  const securityQueryParams = new Set<string>();
  for (const scheme of Object.values(asObject(components.securitySchemes) ?? {})) {
    const object = asObject(scheme);
    if (object?.in === 'query' && typeof object.name === 'string') securityQueryParams.add(object.name);
  }

  const resolve = (node: Json | undefined): Json | undefined => resolveRef(document, node);

  const operations: Operation[] = [];
  for (const [template, pathItemNode] of Object.entries(asObject(document.paths) ?? {})) {
    const pathItem = asObject(pathItemNode) ?? {};
    const shared = asArray(pathItem.parameters);
    for (const method of HTTP_METHODS) {
      const operation = asObject(pathItem[method]);
      if (!operation || typeof operation.operationId !== 'string') continue;
      const paramNames: string[] = [];
      const source = template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\{(\w+)\}/g, (_, name: string) => {
          paramNames.push(name);
          return '([^/]+)';
        });
      const parameters: Parameter[] = [];
      for (const node of [...shared, ...asArray(operation.parameters)]) {
        const parameter = asObject(resolve(node));
        if (!parameter || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') continue;
        const existing = parameters.findIndex(
          (item) => item.name === parameter.name && item.in === parameter.in,
        );
        const entry = {
          name: parameter.name,
          in: parameter.in,
          required: parameter.required === true || parameter.in === 'path',
          schema: parameter.schema ?? {},
        };
        if (existing >= 0) parameters[existing] = entry;
        else parameters.push(entry);
      }
      const body = asObject(resolve(operation.requestBody));
      const responses: Record<string, { schema: Json | null }> = {};
      for (const [status, responseNode] of Object.entries(asObject(operation.responses) ?? {})) {
        responses[status] = { schema: jsonSchemaOf(asObject(resolve(responseNode))) };
      }
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        paramNames,
        parameters,
        requestBody: body ? { required: body.required === true, schema: jsonSchemaOf(body) } : null,
        responses,
      });
    }
  }
  // Literal paths win over templated ones (`/accounts/x/orders/details` is not an order id).
  operations.sort((a, b) => a.paramNames.length - b.paramNames.length);

  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: Json): ValidateFunction => {
    let validate = compiled.get(key);
    if (!validate) {
      const converted = toJsonSchema(schema);
      validate = ajv.compile(typeof converted === 'object' && converted !== null ? converted : {});
      compiled.set(key, validate);
    }
    return validate;
  };
  const check = (key: string, schema: Json, data: unknown, where: string, errors: string[]) => {
    const validate = validatorFor(key, schema);
    if (!validate(data)) errors.push(...formatErrors(validate.errors, where));
  };

  const match = (method: string, path: string) => {
    for (const operation of operations) {
      if (operation.method !== method.toUpperCase()) continue;
      const found = operation.pattern.exec(path);
      if (!found) continue;
      const pathParams: Record<string, string> = {};
      operation.paramNames.forEach((name, index) => {
        pathParams[name] = decodeURIComponent(found[index + 1] ?? '');
      });
      return { operation, pathParams };
    }
    return null;
  };

  return {
    operationIds: () => operations.map((operation) => operation.operationId),

    findOperation(method, path) {
      const found = match(method, path);
      return found ? { operationId: found.operation.operationId, pathParams: found.pathParams } : null;
    },

    validateRequest(request) {
      const found = match(request.method, request.path);
      if (!found) {
        return {
          valid: false,
          operationId: null,
          errors: [`no operation for ${request.method} ${request.path}`],
        };
      }
      const { operation, pathParams } = found;
      const errors: string[] = [];
      const query = toQueryRecord(request.query);

      for (const parameter of operation.parameters) {
        const key = `${operation.operationId}:param:${parameter.in}:${parameter.name}`;
        if (parameter.in === 'path') {
          const value = pathParams[parameter.name];
          if (value === undefined) errors.push(`path parameter ${parameter.name} missing`);
          else
            check(
              key,
              parameter.schema,
              coerce(value, parameter.schema, resolve),
              `path.${parameter.name}`,
              errors,
            );
        } else if (parameter.in === 'query') {
          const values = query[parameter.name];
          if (values === undefined || values.length === 0) {
            if (parameter.required) errors.push(`query parameter ${parameter.name} is required`);
            continue;
          }
          for (const value of values) {
            check(
              key,
              parameter.schema,
              coerce(value, parameter.schema, resolve),
              `query.${parameter.name}`,
              errors,
            );
          }
        }
      }
      const declared = new Set(
        operation.parameters.filter((item) => item.in === 'query').map((item) => item.name),
      );
      for (const name of Object.keys(query)) {
        if (!declared.has(name) && !securityQueryParams.has(name))
          errors.push(`query parameter ${name} is not declared`);
      }

      if (request.body !== undefined) {
        if (!operation.requestBody) errors.push('the operation takes no request body');
        else if (operation.requestBody.schema) {
          check(`${operation.operationId}:body`, operation.requestBody.schema, request.body, 'body', errors);
        }
      } else if (operation.requestBody?.required) {
        errors.push('a request body is required');
      }
      return { valid: errors.length === 0, errors, operationId: operation.operationId };
    },

    validateResponse(response) {
      const found = match(response.method, response.path);
      if (!found) {
        return {
          valid: false,
          operationId: null,
          errors: [`no operation for ${response.method} ${response.path}`],
        };
      }
      const { operation } = found;
      const status = String(response.status);
      const declared = operation.responses[status] ?? operation.responses[`${status[0] ?? ''}XX`];
      const entry = declared ?? operation.responses.default;
      if (!entry) {
        return {
          valid: false,
          operationId: operation.operationId,
          errors: [`status ${status} is not declared for ${operation.operationId}`],
        };
      }
      const errors: string[] = [];
      if (entry.schema) {
        check(
          `${operation.operationId}:response:${declared ? status : 'default'}`,
          entry.schema,
          response.body,
          'response',
          errors,
        );
      }
      return { valid: errors.length === 0, errors, operationId: operation.operationId };
    },

    validateComponent(name, data) {
      if (!(name in componentSchemas)) return { valid: false, errors: [`no component schema ${name}`] };
      const errors: string[] = [];
      check(`component:${name}`, { $ref: `#/components/schemas/${name}` }, data, name, errors);
      return { valid: errors.length === 0, errors };
    },
  };
}

/** The `application/json` schema of a request body or response object, if it has one. */
export function jsonSchemaOf(object: JsonObject | null): Json | null {
  const content = asObject(object?.content);
  if (!content) return null;
  const media = asObject(content['application/json']) ?? asObject(Object.values(content)[0]);
  return media?.schema ?? null;
}

/** OpenAPI 3.0 schema → JSON Schema (draft-07) understood by Ajv; see the file comment. */
function toJsonSchema(node: Json | undefined): Json {
  const schema = asObject(node);
  if (!schema) return typeof node === 'boolean' ? node : {};
  if (typeof schema.$ref === 'string') {
    const prefix = '#/components/schemas/';
    if (!schema.$ref.startsWith(prefix)) throw new Error(`unsupported schema reference ${schema.$ref}`);
    return { $ref: `${SPEC_ID}#/definitions/${schema.$ref.slice(prefix.length)}` };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case 'example':
      case 'nullable':
        break;
      case 'properties': {
        const properties: JsonObject = {};
        for (const [name, property] of Object.entries(asObject(value) ?? {})) {
          properties[name] = toJsonSchema(property);
        }
        out.properties = properties;
        break;
      }
      case 'items':
      case 'additionalProperties':
      case 'not':
        out[key] = typeof value === 'boolean' ? value : toJsonSchema(value);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = asArray(value).map((item) => toJsonSchema(item));
        break;
      default:
        out[key] = value;
    }
  }
  if (schema.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  const { description, ...rest } = out;
  return {
    ...(description === undefined ? {} : { description }),
    anyOf: [rest, { type: 'null' }],
  };
}

/** Query and path values arrive as text; numbers and booleans are converted as their schema says. */
function coerce(value: string, schema: Json, resolve: (node: Json | undefined) => Json | undefined): unknown {
  let current = asObject(resolve(schema));
  for (let depth = 0; current && depth < 10 && current.type === undefined; depth += 1) {
    const first = asArray(current.allOf)[0];
    if (first === undefined) break;
    current = asObject(resolve(first));
  }
  const type = current?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function toQueryRecord(query: RequestToValidate['query']): Record<string, string[]> {
  const record: Record<string, string[]> = {};
  if (!query) return record;
  const entries: Array<[string, string]> =
    query instanceof URLSearchParams
      ? [...query.entries()]
      : Object.entries(query).flatMap(([name, value]) =>
          (Array.isArray(value) ? value : [value]).map((item): [string, string] => [name, item]),
        );
  for (const [name, value] of entries) {
    const list = record[name] ?? [];
    list.push(value);
    record[name] = list;
  }
  return record;
}

/** `node`, or what its `$ref` (chain) points to inside `document`. */
export function resolveRef(document: JsonObject, node: Json | undefined): Json | undefined {
  let current = node;
  for (let depth = 0; depth < 20; depth += 1) {
    const object = asObject(current);
    if (!object || typeof object.$ref !== 'string') return current;
    current = pointer(document, object.$ref);
  }
  throw new Error('reference chain too long');
}

function pointer(document: JsonObject, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) throw new Error(`unsupported reference ${ref}`);
  let current: Json | undefined = document;
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    const object = asObject(current);
    current = object ? object[part] : undefined;
  }
  return current;
}

function formatErrors(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map((error) => {
    const params = Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : '';
    return `${where}${error.instancePath} ${error.message ?? 'is invalid'}${params}`;
  });
}

export function asObject(value: Json | undefined): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
}

export function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}
