import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../errors';
import { type AppDeps, createRouter } from '../env';
import { errorResponses } from '../errors';
import { EVENT_STREAM_HEADERS, openEventStream } from '../event-stream';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';

/** The event payloads (src/domain/live-events.ts), as the API document tells them. */
const DESCRIPTION = `
A server-sent-events stream (\`text/event-stream\`) of what changes for me, so the app can update
its data in place instead of polling. Each event is

    id: <increasing integer>
    event: <type>
    data: <JSON, one line>

Types and their \`data\` (every payload also carries its \`type\`):

| event | data |
|---|---|
| \`order\` | \`{ orderId, positionId, accountId, symbol, side: "BTO"\\|"STC", source: "manual"\\|"copy"\\|"auto", status, quantity, filledQuantity }\`: an order of mine was placed or changed status or fill |
| \`position\` | \`{ positionId, status: "open"\\|"closed"\\|"expired"\\|"cancelled" }\`: a position of mine opened, changed (fills folded) or ended |
| \`copy\` | \`{ decisionId, subscriptionId, outcome, reason, copyOrderId }\`: a copy decision about my subscription was made or moved (approved, failed, lapsed, ...) |
| \`account\` | \`{ accountId }\`: an account's balances, selection or connection changed |
| \`notification\` | \`{ notificationId, notificationType, title, body, data, read, createdAt, unread }\`: a notification was written or read; \`unread\` is my unread count after it |

A comment line (\`: heartbeat\`) comes every 15 seconds. Reconnecting with the last id seen (the
\`Last-Event-ID\` header, which EventSource sends by itself, or \`?lastEventId=\`) first replays
every event after it, in order and once (events are kept 24 hours), then continues live; without
it the stream starts from now. The stream ends when my session does (signing out, expiry): the
reconnect then answers 401.
`.trim();

/** A resume point: the id of an event this API sent (a non-negative integer). */
function parseLastEventId(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value)) {
    throw new AppError('VALIDATION', `${field}: must be the id of an event this stream sent`, { field });
  }
  return Number(value);
}

export function eventsRouter(deps: AppDeps) {
  const route = createRoute({
    method: 'get',
    path: '/events',
    operationId: 'streamEvents',
    tags: ['live'],
    security: SESSION_SECURITY,
    middleware: [requireAuth(deps)] as const,
    summary: 'My live events (server-sent events)',
    description: DESCRIPTION,
    request: {
      query: z.object({
        lastEventId: z.string().optional().openapi({ description: 'Resume after this event id' }),
      }),
      headers: z.object({
        'last-event-id': z.string().optional().openapi({ description: 'Resume after this event id' }),
      }),
    },
    responses: {
      200: {
        description: 'The stream; see the description for its events',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });

  return createRouter().openapi(route, async (c) => {
    const actor = c.get('actor');
    if (actor.type !== 'user') throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    const lastEventId =
      parseLastEventId(c.req.valid('header')['last-event-id'], 'Last-Event-ID') ??
      parseLastEventId(c.req.valid('query').lastEventId, 'lastEventId');
    if (!deps.live) throw new AppError('INTERNAL', 'live events are not running in this process');
    const log = c.get('log');
    const body = await openEventStream({
      hub: deps.live,
      userId: actor.userId,
      sessionId: c.get('sessionId'),
      lastEventId,
      signal: c.req.raw.signal,
      onEnd: (reason) => log.debug({ reason }, 'event stream ended'),
    });
    return new Response(body, { status: 200, headers: { ...EVENT_STREAM_HEADERS } });
  });
}
