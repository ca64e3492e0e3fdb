/**
 * The database helpers the paper broker's batch writes with: ids made in TypeScript the way the
 * database's `nanoid()` makes them, and arrays sent as one literal parameter.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sqlArray } from '../../src/db/arrays';
import { newIds } from '../../src/db/ids';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

describe('newIds', () => {
  it('makes distinct ids of the shape and the 64 symbols of the database nanoid()', async () => {
    const ids = newIds(2000);
    expect(ids).toHaveLength(2000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(2000);

    const { rows } = await t.sql<{ id: string }>('SELECT nanoid() AS id FROM generate_series(1, 2000)');
    const symbols = (list: string[]) => [...new Set(list.join(''))].sort().join('');
    expect(symbols(ids)).toHaveLength(64);
    expect(symbols(ids)).toBe(symbols(rows.map((row) => row.id)));
  });

  it('makes none for a count of zero', () => {
    expect(newIds(0)).toEqual([]);
  });
});

describe('sqlArray', () => {
  it('sends texts PostgreSQL reads back unchanged, NULL included', async () => {
    const values = ['plain', 'with "quotes"', 'back\\slash', 'a,b', '{braces}', '', 'NULL', ' spaced ', null];
    const { rows } = await t.db.execute<{ value: string | null }>(
      sql`select value from unnest(${sqlArray(values, 'text')}) with ordinality as u(value, n) order by n`,
    );
    expect(rows.map((row) => row.value)).toEqual(values);
  });

  it('casts to the element type it is given', async () => {
    const { rows } = await t.db.execute<{ total: string; count: number; latest: string }>(sql`
      select (select sum(x) from unnest(${sqlArray(['1.25', '2.50', null], 'numeric')}) x)::text as total,
             (select count(*)::int from unnest(${sqlArray([1, 2, 3], 'int')}) x where x > 1) as count,
             (select max(x)::text from unnest(${sqlArray(['2026-01-02T03:04:05.000Z', '2025-12-31T00:00:00.000Z'], 'timestamp')}) x) as latest`);
    expect(rows[0]).toEqual({ total: '3.75', count: 2, latest: '2026-01-02 03:04:05' });
  });
});
