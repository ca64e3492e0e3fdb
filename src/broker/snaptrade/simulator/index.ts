/**
 * A local SnapTrade: an HTTP server answering the operations our adapter and connections module
 * use, as `spec/snaptrade-openapi.yaml` describes them, so the real SDK can be exercised end to
 * end in tests and in development (`BROKER=snaptrade-sim`).
 *
 * - `http.ts`: the HTTP surface (routing, clientId/timestamp/signature/user checks, rate limit,
 *   injected failures, the record of each exchange); `routes.ts` the operations it implements and
 *   `records.ts` the spec-shaped bodies they answer.
 * - `brokerage.ts`: users, connections, accounts, holdings, quotes, orders and fills, by the
 *   paper broker's fill rules.
 * - `portal.ts`: the stand-in Connection Portal; `webhooks.ts`: signed webhooks.
 * - `controls.ts`: what tests drive it with (`SimulatorControls`).
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatedBrokerage } from './brokerage';
import { createControls } from './controls';
import { createHttpSurface, DroppedResponses, InjectedFailures } from './http';
import { createIds } from './ids';
import { createPortal } from './portal';
import { specRecords } from './records';
import { createRoutes } from './routes';
import type { SimulatorExchange, SnapTradeSimulator, SnapTradeSimulatorOptions } from './types';
import { createWebhooks } from './webhooks';

export * from './types';

export async function createSnapTradeSimulator(
  options: SnapTradeSimulatorOptions = {},
): Promise<SnapTradeSimulator> {
  const clientId = options.clientId ?? 'SNAPTRADE_SIM';
  const consumerKey = options.consumerKey ?? 'snaptrade-sim-consumer-key';
  const now = options.now ?? (() => new Date());
  const ids = createIds(options.seed ?? randomInt(0, 2 ** 31));

  const brokerage: SimulatedBrokerage = new SimulatedBrokerage({
    ids,
    now,
    autoQuotes: options.autoQuotes ?? false,
    quoteSeed: options.seed ?? 0,
    onOrderChanged: (order) => webhooks.orderChanged(order),
    onConnectionChanged: (authorization) => webhooks.connectionChanged(authorization),
  });
  const webhooks = createWebhooks({
    brokerage,
    ids,
    clientId,
    consumerKey,
    now,
    webhookUrl: options.webhookUrl,
    onWebhookError: options.onWebhookError,
    orderRecord: (order) => records.order(order),
  });
  const records = specRecords({ brokerage, ids, now });
  const portal = createPortal({ brokerage, ids, clientId, portalCash: options.portalCash });
  const failures = new InjectedFailures();
  const drops = new DroppedResponses();
  const exchanges: SimulatorExchange[] = [];
  let baseUrl = '';

  const handle = createHttpSurface({
    routes: createRoutes({ brokerage, records, portal, now }),
    brokerage,
    portal,
    failures,
    drops,
    clientId,
    consumerKey,
    wallClock: options.wallClock ?? (() => Date.now()),
    toleranceMs: (options.timestampToleranceSeconds ?? 300) * 1000,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 250,
    baseUrl: () => baseUrl,
    onExchange: (exchange) => {
      if (options.record) exchanges.push(exchange);
      options.onExchange?.(exchange);
    },
  });

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${urlHost}:${address.port}`;
  let closed = false;

  return {
    url: baseUrl,
    clientId,
    consumerKey,
    controls: createControls({ brokerage, failures, drops, webhooks }),
    exchanges,
    async close() {
      if (closed) return;
      closed = true;
      await webhooks.settled();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The simulator as the application starts it (`BROKER=snaptrade-sim`): made-up quotes for any
 * contract so Market orders work without setup, and a fixed port when one is given.
 */
export function startSnapTradeSimulator(
  options: SnapTradeSimulatorOptions = {},
): Promise<SnapTradeSimulator> {
  return createSnapTradeSimulator({ autoQuotes: true, ...options });
}
