/**
 * The web app's only way to the server: a client typed from the API's OpenAPI document
 * (`schema.d.ts`, made by `npm run gen:api`), so a page never builds a URL or a body by hand.
 * `call` turns an answer into its data or an `ApiError` carrying the API's code, message and
 * field.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

export const client = createClient<paths>({
  credentials: 'same-origin',
  headers: { accept: 'application/json' },
});

/** Status 0 means the request never got an answer (offline, server down). */
const NETWORK_FAILURE = 0;

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  /** For validation and business refusals: the input field at fault. */
  readonly field: string | undefined;
  readonly requestId: string | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { field?: string | undefined; requestId?: string | undefined } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.requestId = extra.requestId;
  }

  get isUnauthenticated(): boolean {
    return this.status === 401;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Sign in to continue';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Too many attempts, try again in a minute';
  if (status >= 500) return 'Something went wrong on our side, try again';
  return 'The request was refused';
}

/** The API answers `{ error: { code, message, requestId, field? } }`; anything else gets words of ours. */
export function errorFromBody(status: number, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, requestId, field } = body.error;
    return new ApiError(status, text(code) ?? 'UNKNOWN', text(message) ?? fallbackMessage(status), {
      field: text(field),
      requestId: text(requestId),
    });
  }
  return new ApiError(status, 'UNKNOWN', fallbackMessage(status));
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer; otherwise an ApiError (a network failure has status 0). */
export async function call<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch {
    throw new ApiError(
      NETWORK_FAILURE,
      'NETWORK',
      'Cannot reach Alertsify. Check your connection and try again.',
    );
  }
  if (answer.response.ok && answer.data !== undefined) return answer.data;
  throw errorFromBody(answer.response.status, answer.error);
}

/** A message fit to show a person, whatever was thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong, try again';
}
