import type { OpenAPIHono } from '@hono/zod-openapi';
import { SESSION_COOKIE_NAME } from '../auth';
import type { AppEnv } from './env';

export const OPENAPI_PATH = '/api/openapi.json';

/** The OpenAPI security scheme name of the session cookie. */
export const SESSION_SCHEME = 'sessionCookie';

/** `security` for routes that need a signed-in user. */
export const SESSION_SECURITY = [{ [SESSION_SCHEME]: [] }];

/**
 * `security` for routes anyone may call. Said explicitly so that a route without a declaration
 * stands out (the linter refuses it) instead of silently reading as public.
 */
export const PUBLIC_SECURITY: Array<Record<string, string[]>> = [];

/** Serve the OpenAPI 3.1 document generated from the registered routes. */
export function serveOpenApiDocument(app: OpenAPIHono<AppEnv>, version: string): void {
  app.openAPIRegistry.registerComponent('securitySchemes', SESSION_SCHEME, {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE_NAME,
    description: 'Set by sign-up and sign-in; sent back by the browser with every request.',
  });
  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'Alertsify API',
      version,
      description:
        'Options copy-trading. Errors always answer `{ error: { code, message, requestId, field? } }`.',
    },
    // The spec's default, said explicitly: the API is on the host that serves this document,
    // whatever name that deployment is reached by (paths carry the /api prefix).
    servers: [{ url: '/', description: 'The host serving this document' }],
  });
}
