/**
 * What every connection of the app's pool runs with: UTC (the TIMESTAMP columns hold UTC wall
 * clock) and no JIT (compiling a fan-out's statements cost more than running them).
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

describe('pool connections', () => {
  it('run in UTC with JIT off', async () => {
    const { rows } = await t.sql<{ timezone: string; jit: string }>(
      `SELECT current_setting('timezone') AS timezone, current_setting('jit') AS jit`,
    );
    expect(rows[0]).toEqual({ timezone: 'UTC', jit: 'off' });
  });
});
