/**
 * The web app's live layer against the event contract of `src/domain/live-events.ts`. The
 * stream is played by a stand-in in front of the real server (a small proxy answering
 * `/api/events` itself and passing everything else on), so this runs before and after the
 * server has its own stream: an event refreshes what it concerns without a reload or any
 * polling, a fill raises a toast, a dropped stream shows "reconnecting" and resumes with
 * `Last-Event-ID`. Without any stream the app carries on with a grey dot.
 */
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationEvent, OrderEvent } from '../../src/domain/live-events';
import {
  type ApiUser,
  firstChain,
  JOURNEY_TIMEOUT_MS,
  liveEventsAvailable,
  type OpenedPage,
  openPage,
  SETUP_TIMEOUT_MS,
  seedUser,
  useJourney,
} from './support';

type Stream = { lastEventId: string | undefined; response: ServerResponse };

/** The real server behind a proxy whose `/api/events` is a stream the test writes to. */
async function startStreamStandIn(
  target: string,
): Promise<{ url: string; streams: Stream[]; server: Server }> {
  const streams: Stream[] = [];
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    if (incoming.url === '/api/events') {
      outgoing.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      outgoing.write('retry: 500\n\n');
      const lastEventId = incoming.headers['last-event-id'];
      streams.push({
        lastEventId: typeof lastEventId === 'string' ? lastEventId : undefined,
        response: outgoing,
      });
      return;
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, streams, server };
}

const journey = useJourney();
let lee: ApiUser;
let opened: OpenedPage;
let page: Page;
let standIn: Awaited<ReturnType<typeof startStreamStandIn>>;

beforeAll(async () => {
  lee = await seedUser(journey, 'lee', { paper: true });
  standIn = await startStreamStandIn(journey.baseUrl);
  opened = await openPage(journey, lee);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  for (const stream of standIn?.streams ?? []) stream.response.destroy();
  standIn?.server.close();
}, 30_000);

/** One server-sent event as the contract writes it. */
const sse = (id: number, event: OrderEvent | NotificationEvent) =>
  `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

async function streamNumber(index: number): Promise<Stream> {
  await expect.poll(() => standIn.streams.length, { timeout: 10_000 }).toBeGreaterThan(index);
  const stream = standIn.streams[index];
  if (!stream) throw new Error(`no stream ${index}`);
  return stream;
}

describe('the live layer', () => {
  it.skipIf(liveEventsAvailable)('carries on with a grey dot while the server has no stream', async () => {
    await page.goto('/');
    await page.getByRole('img', { name: 'Live updates unavailable' }).waitFor();
    await page.getByText('No open positions yet.').waitFor();
  });

  it('refreshes on an event, toasts a fill, and resumes with Last-Event-ID after a drop', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto(`${standIn.url}/`);
    await page.getByText('No open positions yet.').waitFor();
    const first = await streamNumber(0);
    expect(first.lastEventId).toBeUndefined();
    await page.getByRole('img', { name: 'Live: updates arrive as they happen' }).waitFor();

    // An order placed elsewhere: the page shows nothing of it until an event says so.
    const { expiration, strikes } = await firstChain(lee, 'AAPL');
    const order = await lee.post('/api/orders', {
      side: 'BTO',
      underlying: 'AAPL',
      optionType: 'call',
      strike: strikes[10]?.strike,
      expiration,
      quantity: 2,
    });
    expect(await page.getByText('No open positions yet.').isVisible()).toBe(true);
    first.response.write(': heartbeat\n\n');
    first.response.write(
      sse(41, {
        type: 'order',
        orderId: String(order.id),
        positionId: String(order.positionId),
        accountId: String(order.accountId),
        symbol: String(order.symbol),
        side: 'BTO',
        source: 'manual',
        status: 'filled',
        quantity: 2,
        filledQuantity: 2,
      }),
    );
    const row = page.locator('section[aria-labelledby="positions-heading"] tbody tr').first();
    await row.getByRole('cell', { name: '2', exact: true }).waitFor();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Filled' })
      .filter({ hasText: 'Bought 2 of 2' })
      .waitFor();

    // The stream drops: the page says so, the browser reconnects and asks for what followed 41.
    first.response.end();
    const second = await streamNumber(1);
    expect(second.lastEventId).toBe('41');
    await page.getByRole('img', { name: 'Live: updates arrive as they happen' }).waitFor();
    second.response.write(
      sse(42, {
        type: 'notification',
        notificationId: 'n1',
        notificationType: 'order_filled',
        title: 'Order filled',
        body: 'Bought 2',
        data: null,
        read: false,
        createdAt: '2026-11-30T15:00:00.000Z',
        unread: 7,
      }),
    );
    await page.getByRole('button', { name: 'Notifications, 7 unread' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Reconnecting' }).count()).toBe(0);

    // A longer outage shows on the page until the stream is back.
    second.response.write('retry: 3000\n\n');
    second.response.end();
    await page.getByRole('status').filter({ hasText: 'Reconnecting' }).first().waitFor();
    await page.getByRole('img', { name: 'Reconnecting to live updates' }).waitFor();
    const third = await streamNumber(2);
    expect(third.lastEventId).toBe('42');
    await page.getByRole('img', { name: 'Live: updates arrive as they happen' }).waitFor();
  });

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
