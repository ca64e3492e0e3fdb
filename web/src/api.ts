/**
 * The web app's only way to the server: JSON over fetch, same origin, session cookie included.
 * Types mirror the API's responses (see the OpenAPI schemas in src/http/routes).
 */

export type Profile = {
  id: string;
  email: string;
  name: string | null;
  username: string | null;
  avatarUrl: string | null;
  bio: string | null;
  isTrader: boolean;
  traderVerifiedAt: string | null;
  unreadNotifications: number;
  createdAt: string | null;
};

export type Health = {
  status: 'ok' | 'degraded';
  version: string;
  database: 'up' | 'down';
};

/** Status 0 means the request never got an answer (offline, server down). */
const NETWORK_FAILURE = 0;

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  /** For validation errors: the input field at fault. */
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

function optionalString(value: unknown): string | undefined {
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

/**
 * Our API answers `{ error: { code, message, requestId, field? } }`; better-auth's own endpoints
 * answer `{ code, message }`. Anything else (a proxy's HTML page) gets a generic message.
 */
export function errorFromBody(status: number, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, requestId, field } = body.error;
    return new ApiError(
      status,
      optionalString(code) ?? 'UNKNOWN',
      optionalString(message) ?? fallbackMessage(status),
      { field: optionalString(field), requestId: optionalString(requestId) },
    );
  }
  if (isRecord(body)) {
    return new ApiError(
      status,
      optionalString(body.code) ?? 'UNKNOWN',
      optionalString(body.message) ?? fallbackMessage(status),
    );
  }
  return new ApiError(status, 'UNKNOWN', fallbackMessage(status));
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type RequestOptions = {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Statuses whose body is a regular answer rather than an error (health answers 503 when degraded). */
  acceptStatuses?: readonly number[];
};

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, acceptStatuses = [] } = options;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'include',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(
      NETWORK_FAILURE,
      'NETWORK',
      'Cannot reach Alertsify. Check your connection and try again.',
    );
  }
  const payload = await readJson(response);
  if (response.ok || acceptStatuses.includes(response.status)) return payload as T;
  throw errorFromBody(response.status, payload);
}

export const api = {
  me: () => request<Profile>('/api/me'),
  health: () => request<Health>('/api/health', { acceptStatuses: [503] }),
  signIn: (input: { email: string; password: string }) =>
    request<unknown>('/api/auth/sign-in/email', { method: 'POST', body: input }),
  signUp: (input: { email: string; password: string; name: string }) =>
    request<unknown>('/api/auth/sign-up/email', { method: 'POST', body: input }),
  signOut: () => request<unknown>('/api/auth/sign-out', { method: 'POST', body: {} }),
};

/** A message fit to show a person, whatever was thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong, try again';
}
