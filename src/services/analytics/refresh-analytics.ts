import { sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';
import { isoUtc } from './sql';

/**
 * Refresh every analytics materialized view (refresh_analytics() in the analytics migration:
 * one transaction, one refresh at a time). Run by the `refresh-analytics` job, which closing
 * positions and copy decisions ask for (debounced) and CRON runs every minute.
 */
export async function refreshAnalytics({ ctx }: { ctx: ServiceContext }): Promise<{
  refreshedAt: string;
  durationMs: number;
}> {
  const started = performance.now();
  const { rows } = await ctx.db.execute<{ refreshed_at: string }>(
    sql`SELECT ${isoUtc(sql`refresh_analytics()`)} AS refreshed_at`,
  );
  const refreshedAt = rows[0]?.refreshed_at;
  if (!refreshedAt) throw new Error('refresh_analytics() returned nothing');
  return { refreshedAt, durationMs: Math.round(performance.now() - started) };
}
