import { sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';

export type DatabaseStatus = 'up' | 'down';

/** How long a health probe waits for the database before calling it down. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Really ask the database (`select 1`): a pool that cannot connect, a server that does not
 * answer in time, or any error means `down`. Never throws: an outage is an expected answer here.
 */
export async function checkDatabase({
  ctx,
}: {
  ctx: Pick<ServiceContext, 'db' | 'log'>;
}): Promise<DatabaseStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([ctx.db.execute(sql`select 1`), timeout]);
    return 'up';
  } catch (error) {
    ctx.log.warn({ err: error }, 'database health probe failed');
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
