/**
 * Many rows decided in memory, written with few statements, and the database kept busy: below
 * `PIPELINE_THRESHOLD` items everything goes in one statement; above it, in four growing chunks,
 * each written while the next is decided, so the first is decided quickly and the database
 * rarely waits for the application or the application for the database.
 */

const PIPELINE_THRESHOLD = 2000;
/** Items decided between two turns of the event loop while a statement is in flight. */
const YIELD_EVERY = 250;

/**
 * How many of `count` items each statement takes: all in one below the threshold, else
 * 10 %, 20 %, 30 % and the rest.
 */
function chunkSizes(count: number): number[] {
  if (count < PIPELINE_THRESHOLD) return [count];
  const first = Math.ceil(count / 10);
  const second = Math.ceil((count * 2) / 10);
  const third = Math.ceil((count * 3) / 10);
  return [first, second, third, count - first - second - third];
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Decides items `0 … count − 1` in order into batches and writes each batch with `write`,
 * deciding the next batch while the previous is written (one statement in flight at a time, so
 * one connection or transaction serves). Answers what each `write` answered, in order. On a
 * failure it waits for the statement in flight before throwing, leaving the connection idle for
 * the rollback.
 */
export async function writeInChunks<Batch, Written>({
  count,
  start,
  decide,
  write,
}: {
  count: number;
  /** An empty batch. */
  start: () => Batch;
  /** Decides item `index`, adding what it writes to `batch`. */
  decide: (index: number, batch: Batch) => void;
  /** Writes a batch (possibly empty) with one statement. */
  write: (batch: Batch) => Promise<Written>;
}): Promise<Written[]> {
  const written: Written[] = [];
  let writing: Promise<Written> | null = null;
  try {
    let first = 0;
    for (const size of chunkSizes(count)) {
      const batch = start();
      for (let index = first; index < first + size; index++) {
        decide(index, batch);
        // Now and then let the driver go on sending the statement in flight.
        if (writing && (index - first) % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn();
      }
      first += size;
      if (writing) written.push(await writing);
      writing = write(batch);
      // Awaited below; a failure in the meantime must not count as unhandled.
      writing.catch(() => {});
    }
    if (writing) written.push(await writing);
  } catch (error) {
    await writing?.catch(() => null);
    throw error;
  }
  return written;
}
