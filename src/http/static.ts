import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors';
import type { AppEnv } from './env';

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

/**
 * Serve the built single-page app from `root`: files as they are, and `index.html` for any other
 * GET outside `/api`, so client-side routes survive a reload.
 */
export function serveSpa(root: string) {
  const files = serveStatic<AppEnv>({ root });
  const indexFile = join(root, 'index.html');
  return createMiddleware<AppEnv>(async (c, next) => {
    if (isApiPath(c.req.path)) return next();
    return files(c, async () => {
      const html = await readFile(indexFile, 'utf8').catch(() => undefined);
      if (html === undefined) throw new AppError('NOT_FOUND', 'Not found');
      c.res = c.html(html);
    });
  });
}
