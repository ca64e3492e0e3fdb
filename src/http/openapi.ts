import type { OpenAPIHono } from '@hono/zod-openapi';
import { SESSION_COOKIE_NAME } from '../auth';
import type { AppEnv } from './env';

export const OPENAPI_PATH = '/api/openapi.json';

/** The OpenAPI security scheme name of the session cookie. */
export const SESSION_SCHEME = 'sessionCookie';

/** `security` for routes that need a signed-in user. */
export const SESSION_SECURITY = [{ [SESSION_SCHEME]: [] }];

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
  });
}
