/**
 * The JavaScript a first visit to one route of the built web app downloads before it can show
 * anything: the entry chunk, the route's own chunk, and every chunk they import statically,
 * counted once each, gzipped. Read from Vite's build manifest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WEB_DIST } from '../web-build';

/** The sign-in route's budget (issue 11): what a visitor without a session waits for. */
export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

type ManifestChunk = { file: string; imports?: string[]; isEntry?: boolean };
type Manifest = Record<string, ManifestChunk>;

export type InitialJs = { files: string[]; gzipBytes: number };

/** `route` is the route file under web/src/routes, e.g. `sign-in.tsx`. */
export function initialJsOf(route: string, dist = WEB_DIST): InitialJs {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Manifest;
  const routeKey = `src/routes/${route}?tsr-split=component`;
  const starts = ['index.html', routeKey];
  for (const key of starts) if (!manifest[key]) throw new Error(`the build manifest has no ${key}`);
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  for (const key of starts) visit(key);
  const files = [...seen].flatMap((key) => manifest[key]?.file ?? []).filter((file) => file.endsWith('.js'));
  const gzipBytes = files.reduce(
    (sum, file) => sum + gzipSync(readFileSync(join(dist, file)), { level: 9 }).length,
    0,
  );
  return { files: files.sort(), gzipBytes };
}

export const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
