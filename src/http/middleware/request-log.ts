import { performance } from 'node:perf_hooks';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

/**
 * One line per request: method, path (no query string), status, duration. Headers are never
 * logged, so cookies and authorization cannot leak into logs.
 */
export function requestLog() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const line = {
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    const log = c.get('log');
    if (status >= 500) log.error(line, 'request');
    else log.info(line, 'request');
  });
}
