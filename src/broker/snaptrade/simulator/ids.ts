/**
 * Ids and secrets the simulator hands out, reproducible under a seed: every id comes from one
 * seeded stream, in the order the simulator asks for them.
 */

export type SimulatorIds = {
  /** A version-4 UUID drawn from the stream. */
  uuid(): string;
  /** The same UUID every time for `key` (a symbol, a brokerage), drawn the first time it is asked. */
  idFor(key: string): string;
};

export function createIds(seed: number): SimulatorIds {
  const random = seededRandom(seed);
  const known = new Map<string, string>();
  const uuid = () => uuidFrom(random);
  return {
    uuid,
    idFor(key) {
      let id = known.get(key);
      if (!id) {
        id = uuid();
        known.set(key, id);
      }
      return id;
    },
  };
}

/** mulberry32: small, fast, good enough for reproducible ids. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function uuidFrom(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
