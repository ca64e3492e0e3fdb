import { z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainValidationError } from '../domain/errors';
import { AppError, ERROR_CODES, type ErrorCode, validationErrorFromZod } from '../errors';
import type { AppContext } from './env';

/** The one table from error code to HTTP status. */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  // Business rules refusing a well-formed request (no selected account, order not cancellable).
  PRECONDITION_FAILED: 422,
  BROKER_REJECTED: 422,
  LIMIT_EXCEEDED: 429,
  INTERNAL: 500,
};

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  VALIDATION: 'Invalid input',
  UNAUTHENTICATED: 'Sign in to continue',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflicts with the current state',
  PRECONDITION_FAILED: 'Not possible in the current state',
  BROKER_REJECTED: 'The broker rejected the request',
  LIMIT_EXCEEDED: 'Too many requests, try again later',
  INTERNAL: 'Internal server error',
};

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      requestId: z.string(),
      field: z.string().optional().openapi({ description: 'For VALIDATION: the input field at fault' }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Hono's own refusals (malformed JSON, unsupported media type, ...) in our vocabulary. */
function fromHttpException(exception: HTTPException): AppError {
  const status = exception.status;
  const code: ErrorCode =
    status === 400 || status === 413 || status === 415 || status === 422
      ? 'VALIDATION'
      : status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'FORBIDDEN'
          : status === 404 || status === 405
            ? 'NOT_FOUND'
            : status === 409
              ? 'CONFLICT'
              : status === 429
                ? 'LIMIT_EXCEEDED'
                : 'INTERNAL';
  const message = code !== 'INTERNAL' && exception.message ? exception.message : DEFAULT_MESSAGE[code];
  return new AppError(code, message, { cause: exception });
}

/** Any thrown value as an AppError; `expected` is false for bugs and outages. */
export function classifyError(error: unknown): { appError: AppError; expected: boolean } {
  if (error instanceof AppError) return { appError: error, expected: error.code !== 'INTERNAL' };
  if (error instanceof z.core.$ZodError) return { appError: validationErrorFromZod(error), expected: true };
  // A domain rule refusing input that got past the route's schema is still the client's input.
  if (error instanceof DomainValidationError) {
    const appError = new AppError('VALIDATION', error.message, { field: error.field, cause: error });
    return { appError, expected: true };
  }
  if (error instanceof HTTPException) {
    const appError = fromHttpException(error);
    return { appError, expected: appError.code !== 'INTERNAL' };
  }
  return { appError: new AppError('INTERNAL', DEFAULT_MESSAGE.INTERNAL, { cause: error }), expected: false };
}

/**
 * The one place an error becomes an HTTP answer. Unexpected errors are logged with their stack
 * and answered INTERNAL without their message.
 */
export function errorResponse(c: AppContext, error: unknown): Response {
  const { appError, expected } = classifyError(error);
  const requestId = c.get('requestId') ?? 'unknown';
  const log = c.get('log');
  if (!expected) {
    const cause = appError.code === 'INTERNAL' && appError.cause !== undefined ? appError.cause : error;
    log?.error({ err: cause }, 'request failed');
  }
  const body: ErrorBody = {
    error: {
      code: appError.code,
      message: appError.code === 'INTERNAL' ? DEFAULT_MESSAGE.INTERNAL : appError.message,
      requestId,
      ...(appError.field ? { field: appError.field } : {}),
      ...(appError.details && appError.code !== 'INTERNAL' ? { details: appError.details } : {}),
    },
  };
  return c.json(body, STATUS_BY_CODE[appError.code]);
}

/** OpenAPI response entries for the errors a route may answer. */
export function errorResponses(...codes: ErrorCode[]) {
  const entries: Record<
    number,
    { description: string; content: { 'application/json': { schema: typeof ErrorBodySchema } } }
  > = {};
  for (const code of codes) {
    const status = STATUS_BY_CODE[code];
    const previous = entries[status];
    entries[status] = {
      description: previous ? `${previous.description} or ${code}` : code,
      content: { 'application/json': { schema: ErrorBodySchema } },
    };
  }
  return entries;
}
