import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { Logger } from '../../logger';
import type { AppEnv } from '../env';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** An incoming id is kept only if it is short and plain, so it is safe in logs and headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isSaneRequestId(value: string | undefined): value is string {
  return value !== undefined && SANE_REQUEST_ID.test(value);
}

/**
 * Give every request an id (the caller's `X-Request-Id` when sane, a new one otherwise), a
 * logger bound to it, the anonymous actor until auth says otherwise, and echo the id back.
 */
export function requestContext(log: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const requestId = isSaneRequestId(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    c.set('log', log.child({ requestId }));
    c.set('actor', { type: 'anonymous' });
    await next();
    c.header(REQUEST_ID_HEADER, requestId);
  });
}
