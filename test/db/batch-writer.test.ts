/**
 * `writeInChunks`: every item decided once and in order, few statements, the next chunk decided
 * while the previous is written, and a failure waiting for the statement in flight.
 */
import { describe, expect, it } from 'vitest';
import { writeInChunks } from '../../src/db/batch-writer';

/** A write that resolves only when released, so the test sees what happens meanwhile. */
function heldWrites() {
  const started: number[][] = [];
  const release: Array<() => void> = [];
  const fail: Array<(error: Error) => void> = [];
  const write = (batch: number[]) => {
    started.push(batch);
    return new Promise<number>((resolve, reject) => {
      release.push(() => resolve(batch.length));
      fail.push(reject);
    });
  };
  return { started, release, fail, write };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Lets the event loop turn until `done()` holds (a bounded number of turns). */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !done(); turn++) await settle();
}

describe('writeInChunks', () => {
  it('writes a small batch with one statement', async () => {
    const written = await writeInChunks({
      count: 3,
      start: (): number[] => [],
      decide: (index, batch) => batch.push(index),
      write: async (batch) => batch,
    });
    expect(written).toEqual([[0, 1, 2]]);
  });

  it('writes an empty batch once, so the caller learns what an empty write answers', async () => {
    const written = await writeInChunks({
      count: 0,
      start: (): number[] => [],
      decide: () => {},
      write: async (batch) => batch.length,
    });
    expect(written).toEqual([0]);
  });

  it('splits a large batch in four growing chunks, deciding each while the previous is written', async () => {
    const held = heldWrites();
    const decided: number[] = [];
    const done = writeInChunks({
      count: 5000,
      start: (): number[] => [],
      decide: (index, batch) => {
        decided.push(index);
        batch.push(index);
      },
      write: held.write,
    });

    // The first chunk is being written while the second is decided; then it waits for the write.
    await turnsUntil(() => decided.length === 1500);
    for (let turn = 0; turn < 20; turn++) await settle();
    expect(decided).toHaveLength(1500);
    expect(held.started.map((batch) => batch.length)).toEqual([500]);
    for (const [chunk, decidedBefore] of [
      [0, 3000],
      [1, 5000],
      [2, 5000],
    ] as const) {
      held.release[chunk]?.();
      await turnsUntil(() => held.started.length === chunk + 2);
      expect(held.started).toHaveLength(chunk + 2);
      await turnsUntil(() => decided.length === decidedBefore);
      expect(decided).toHaveLength(decidedBefore);
    }
    held.release[3]?.();

    expect(await done).toEqual([500, 1000, 1500, 2000]);
    expect(held.started.map((batch) => batch.length)).toEqual([500, 1000, 1500, 2000]);
    expect(held.started.flat()).toEqual(Array.from({ length: 5000 }, (_, index) => index));
    expect(decided).toEqual(held.started.flat());
  });

  it('on a failed decision waits for the statement in flight, then throws', async () => {
    const held = heldWrites();
    let settled = false;
    const done = writeInChunks({
      count: 5000,
      start: (): number[] => [],
      decide: (index, batch) => {
        if (index === 700) throw new Error('bad item');
        batch.push(index);
      },
      write: held.write,
    }).finally(() => {
      settled = true;
    });
    const outcome = expect(done).rejects.toThrow('bad item');

    await turnsUntil(() => held.started.length === 1 && settled);
    expect(held.started).toHaveLength(1);
    expect(settled).toBe(false);
    held.fail[0]?.(new Error('write failed too'));
    await outcome;
    expect(held.started).toHaveLength(1);
  });
});
