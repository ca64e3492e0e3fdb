import { z } from 'zod';

/** Stored settings read tolerantly: a missing key takes PRODUCT.md's default. */
const storedSettings = z.object({
  autoExecute: z.boolean().catch(false).default(false),
  scalingFactor: z.union([z.number(), z.string()]).catch(1).default(1),
  maxPositionSize: z.number().int().min(1).catch(10).default(10),
  maxDailyTrades: z.number().int().min(0).catch(5).default(5),
});

export type CopySettings = z.output<typeof storedSettings>;

export function readSettings(raw: unknown): CopySettings {
  const parsed = storedSettings.safeParse(raw ?? {});
  return parsed.success
    ? parsed.data
    : { autoExecute: false, scalingFactor: 1, maxPositionSize: 10, maxDailyTrades: 5 };
}
