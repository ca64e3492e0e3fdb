import { useEffect, useRef, useState } from 'react';

/**
 * Which rows changed since the last render of a list (a live event refetched it): their keys,
 * for a brief highlight. The first render highlights nothing.
 */
export function useChangedRows<T>(
  rows: readonly T[] | undefined,
  key: (row: T) => string,
  signature: (row: T) => string,
) {
  const previous = useRef<Map<string, string> | null>(null);
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!rows) return;
    const next = new Map(rows.map((row) => [key(row), signature(row)]));
    const before = previous.current;
    previous.current = next;
    if (!before) return;
    const moved = new Set([...next].filter(([id, sig]) => before.get(id) !== sig).map(([id]) => id));
    if (moved.size === 0) return;
    setChanged(moved);
    const timer = setTimeout(() => setChanged(new Set()), 2_000);
    return () => clearTimeout(timer);
  }, [rows, key, signature]);
  return changed;
}

/** The current time, ticking every `intervalMs` (countdowns). */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
