import type { z } from 'zod';
import { validationErrorFromZod } from '../errors';

/** Parse service input; a refusal is a VALIDATION error naming the first field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationErrorFromZod(parsed.error);
  return parsed.data;
}
