import { z } from 'zod';
import type { CopySizing } from '../../db/schema';

/** Stored settings read tolerantly: a missing (or unreadable) key takes PRODUCT.md's default. */
const storedSettings = z.object({
  autoExecute: z.boolean().catch(false).default(false),
  scalingFactor: z.union([z.number(), z.string()]).catch(1).default(1),
  maxPositionSize: z.number().int().min(1).catch(10).default(10),
  maxDailyTrades: z.number().int().min(0).catch(5).default(5),
  sizing: z
    .discriminatedUnion('mode', [
      z.object({ mode: z.literal('multiplier') }),
      z.object({ mode: z.literal('fixed'), contracts: z.number().int().min(1) }),
      z.object({ mode: z.literal('premium'), dollars: z.number().positive() }),
      z.object({ mode: z.literal('equity'), percent: z.number().positive() }),
    ])
    .catch({ mode: 'multiplier' })
    .default({ mode: 'multiplier' }),
  maxPriceDriftPercent: z.number().positive().nullable().catch(null).default(null),
  driftLimitSeconds: z.number().int().min(1).catch(30).default(30),
  maxDailyLoss: z.number().positive().nullable().catch(null).default(null),
  copyOpenPositions: z.boolean().catch(false).default(false),
});

export type CopySettings = z.output<typeof storedSettings> & { sizing: CopySizing };

const DEFAULTS: CopySettings = storedSettings.parse({});

export function readSettings(raw: unknown): CopySettings {
  const parsed = storedSettings.safeParse(raw ?? {});
  return parsed.success ? parsed.data : DEFAULTS;
}
