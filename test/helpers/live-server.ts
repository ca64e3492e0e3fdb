/**
 * The app served over real HTTP with its live event hub (one LISTEN connection), on a free port
 * of this process: what `startServer` runs, over this test file's database.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createLiveHub, type LiveHub, listenConnection } from '../../src/services/live/hub';
import { buildTestApp, silentLogger, type TestApp, type TestClock } from './app';
import type { TestDatabase } from './db';

export type LiveServer = TestApp & { url: string; hub: LiveHub; stop: () => Promise<void> };

export async function startLiveServer(
  t: TestDatabase,
  options: { heartbeatMs?: number; clock?: TestClock; env?: Record<string, string> } = {},
): Promise<LiveServer> {
  const hub = createLiveHub({
    db: t.db,
    connect: listenConnection(t.url),
    log: silentLogger(),
    heartbeatMs: options.heartbeatMs,
  });
  await hub.start();
  const env = buildTestApp(t, { clock: options.clock, env: options.env, live: hub });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: env.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...env,
    url: `http://127.0.0.1:${port}`,
    hub,
    stop: async () => {
      await hub.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}

/** The session cookie header of a signed-in test client. */
export function sessionCookie(client: { cookie(name: string): string | undefined }): string {
  const token = client.cookie('alertsify.session_token');
  if (!token) throw new Error('not signed in');
  return `alertsify.session_token=${token}`;
}
