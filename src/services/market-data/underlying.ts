import { z } from 'zod';

/** An underlying as people type it: 1 to 6 letters, any case; the API works in upper case. */
export const underlyingSchema = z
  .string('is required')
  .trim()
  .regex(/^[A-Za-z]{1,6}$/, 'must be 1 to 6 letters')
  .transform((value) => value.toUpperCase());
