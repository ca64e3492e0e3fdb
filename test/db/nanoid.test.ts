import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

describe('nanoid()', () => {
  it('returns 21 URL-safe characters, all distinct over many calls', async () => {
    const { rows } = await t.sql<{ id: string }>('SELECT nanoid() AS id FROM generate_series(1, 2000)');
    for (const { id } of rows) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2000);
  });

  it('honours a size and refuses a non-positive one', async () => {
    const { rows } = await t.sql<{ id: string }>('SELECT nanoid(40) AS id');
    expect(rows[0]?.id).toHaveLength(40);
    await expect(t.sql('SELECT nanoid(0)')).rejects.toThrow(/size must be positive/);
  });

  it('uses every symbol of its 64-character alphabet', async () => {
    const { rows } = await t.sql<{ symbols: number }>(
      `SELECT count(DISTINCT c)::int AS symbols
         FROM (SELECT regexp_split_to_table(nanoid(), '') AS c FROM generate_series(1, 500)) s`,
    );
    expect(rows[0]?.symbols).toBe(64);
  });
});
