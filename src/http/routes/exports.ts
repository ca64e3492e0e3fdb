import { once } from 'node:events';
import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify';
import {
  exportOrders,
  exportPositions,
  ORDER_EXPORT_COLUMNS,
  POSITION_EXPORT_COLUMNS,
} from '../../services/exports/export-trades';
import { type AppContext, type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';

/**
 * Rows from `rows` as a CSV download, written as they are read: a long history never sits in
 * memory, and a client that stops reading stops the reading (backpressure).
 */
function csvDownload(
  c: AppContext,
  columns: readonly string[],
  rows: AsyncGenerator<Record<string, unknown>>,
  filename: string,
): Response {
  const csv = stringify({ header: true, columns: [...columns] });
  (async () => {
    for await (const row of rows) {
      if (!csv.write(row)) await once(csv, 'drain');
    }
    csv.end();
  })().catch((error: unknown) => {
    c.get('log').error({ err: error }, 'export failed part way');
    csv.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return new Response(Readable.toWeb(csv) as ReadableStream, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}

const csvResponse = (description: string) => ({
  description,
  content: { 'text/csv': { schema: z.string().openapi({ description: 'RFC 4180 CSV with a header row' }) } },
});

export function exportsRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['exports'], security: SESSION_SECURITY, method: 'get' as const };
  const orders = createRoute({
    ...common,
    middleware: [auth] as const,
    path: '/exports/orders.csv',
    operationId: 'exportOrders',
    summary: 'Every order of mine as CSV, oldest first',
    description: `Columns: ${ORDER_EXPORT_COLUMNS.join(', ')}. \`date\` is the fill time (placement time if it never filled); \`quantity\` and \`price\` are what filled.`,
    responses: { 200: csvResponse('The orders'), ...errorResponses('UNAUTHENTICATED') },
  });
  const positions = createRoute({
    ...common,
    middleware: [auth] as const,
    path: '/exports/positions.csv',
    operationId: 'exportPositions',
    summary: 'My closed and expired positions as CSV, by closing time',
    description: `Columns: ${POSITION_EXPORT_COLUMNS.join(', ')}.`,
    responses: { 200: csvResponse('The positions'), ...errorResponses('UNAUTHENTICATED') },
  });
  const stamp = () => deps.now().toISOString().slice(0, 10);
  return createRouter()
    .openapi(orders, (c) =>
      csvDownload(
        c,
        ORDER_EXPORT_COLUMNS,
        exportOrders({ ctx: serviceContext(deps, c) }),
        `alertsify-orders-${stamp()}.csv`,
      ),
    )
    .openapi(positions, (c) =>
      csvDownload(
        c,
        POSITION_EXPORT_COLUMNS,
        exportPositions({ ctx: serviceContext(deps, c) }),
        `alertsify-positions-${stamp()}.csv`,
      ),
    );
}
