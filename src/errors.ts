import type { z } from 'zod';

/** The closed set of error codes. HTTP statuses are decided in one place: src/http/errors.ts. */
export const ERROR_CODES = [
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'VALIDATION',
  'CONFLICT',
  'LIMIT_EXCEEDED',
  'PRECONDITION_FAILED',
  'BROKER_REJECTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type AppErrorOptions = {
  /** For VALIDATION: the input field at fault, its path joined with '.' (`legs.0.strike`). */
  field?: string;
  /** Extra facts for the client (for example the quantity still available). Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
};

/**
 * An error whose code and message were chosen on purpose and may be shown to the client
 * (except INTERNAL, whose message is only logged). Anything else thrown is a bug or an outage.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The input path zod reports, as one string (`['legs', 0, 'strike']` → `legs.0.strike`). */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => (typeof segment === 'symbol' ? (segment.description ?? '') : String(segment)))
    .join('.');
}

/** A VALIDATION error naming the first field zod refused. */
export function validationErrorFromZod(error: z.core.$ZodError): AppError {
  const issue = error.issues[0];
  if (!issue) return new AppError('VALIDATION', 'Invalid input');
  const field = fieldPath(issue.path);
  return new AppError('VALIDATION', field ? `${field}: ${issue.message}` : issue.message, {
    field: field || undefined,
    cause: error,
  });
}
