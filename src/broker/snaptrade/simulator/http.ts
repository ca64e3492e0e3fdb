/**
 * The simulator's HTTP surface: it matches a request to an operation, refuses what SnapTrade
 * would refuse before the operation runs, and answers and records the exchange.
 *
 * Every API request must carry `clientId`, a `timestamp` within the tolerance of the wall clock
 * (the SDK stamps requests with the real time, whatever clock the simulator's orders use) and the
 * `Signature` the SDK computes (see `signature.ts`); user-scoped operations also need a matching
 * `userId` and `userSecret`, and account-scoped ones an account of that user. Refusals are 401
 * with the spec's `401FailedRequestResponse` body. Before that, injected failures (controls) and
 * SnapTrade's per-customer rate limit may answer instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { computeRequestSignature, requestSignatureContent, signaturesEqual } from '../signature';
import type { SimAccount, SimUser, SimulatedBrokerage } from './brokerage';
import { badRequest, HttpFailure, notFound, unauthorized } from './errors';
import { PORTAL_PATHS, type Portal } from './portal';
import type { InjectedFailure, SimulatorExchange } from './types';

/** Who must be authenticated: nobody, the partner (us), a user, or a user and their account. */
type Auth = 'none' | 'partner' | 'user' | 'account';

export type RequestContext = {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  user: SimUser | null;
  account: SimAccount | null;
  baseUrl: string;
};
type Handler = (context: RequestContext) => { status?: number; body: unknown };
export type Route = {
  method: string;
  template: string;
  pattern: RegExp;
  paramNames: string[];
  operationId: string | null;
  auth: Auth;
  handler: Handler;
};

/** An operation at `template` (with `{name}` path parameters). */
export function route(
  method: string,
  template: string,
  operationId: string | null,
  auth: Auth,
  handler: Handler,
): Route {
  const paramNames: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return { method, template, pattern: new RegExp(`^${source}$`), paramNames, operationId, auth, handler };
}

type Answer = { status: number; headers: Record<string, string>; body: unknown };

const THROTTLED = (wait: number | string) => ({
  detail: `Request was throttled. Expected available in ${wait} seconds.`,
  status_code: 429,
  code: 'throttled',
});

/** Failures queued by controls, each answering the next request(s) it matches instead. */
export class InjectedFailures {
  private readonly queue: Array<InjectedFailure & { remaining: number }> = [];

  push(failure: InjectedFailure): void {
    this.queue.push({ ...failure, remaining: failure.count ?? 1 });
  }

  /** The answer of the first failure matching `operationId`, counted; null when none does. */
  take(operationId: string | null): Answer | null {
    const index = this.queue.findIndex(
      (failure) => !failure.operationId || failure.operationId === operationId,
    );
    const failure = this.queue[index];
    if (!failure) return null;
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.queue.splice(index, 1);
    const headers: Record<string, string> = {};
    if (failure.retryAfterSeconds !== undefined) headers['Retry-After'] = String(failure.retryAfterSeconds);
    if (failure.status === 429) {
      if (failure.rateLimitResetSeconds !== undefined) {
        headers['X-RateLimit-Remaining'] = '0';
        headers['X-RateLimit-Reset'] = String(failure.rateLimitResetSeconds);
      }
      const wait = failure.retryAfterSeconds ?? failure.rateLimitResetSeconds ?? 1;
      return { status: 429, headers, body: THROTTLED(wait) };
    }
    if (failure.status === 503) {
      return {
        status: 503,
        headers,
        body: {
          detail: 'Unable to sync with brokerage account. Invalid response from Brokerage API.',
          status_code: 503,
          code: 3002,
        },
      };
    }
    return {
      status: failure.status,
      headers,
      body: { detail: 'Encountered an unexpected exception.', status_code: failure.status, code: 1000 },
    };
  }
}

/** Responses to drop after the operation ran (the request executed, the answer never arrives). */
export class DroppedResponses {
  private readonly queue: Array<{ operationId?: string; remaining: number }> = [];

  push(drop: { operationId?: string; count?: number }): void {
    this.queue.push({ operationId: drop.operationId, remaining: drop.count ?? 1 });
  }

  take(operationId: string | null): boolean {
    const index = this.queue.findIndex((drop) => !drop.operationId || drop.operationId === operationId);
    const drop = this.queue[index];
    if (!drop) return false;
    drop.remaining -= 1;
    if (drop.remaining <= 0) this.queue.splice(index, 1);
    return true;
  }
}

export type HttpSurfaceOptions = {
  routes: readonly Route[];
  brokerage: SimulatedBrokerage;
  portal: Portal;
  failures: InjectedFailures;
  drops: DroppedResponses;
  clientId: string;
  consumerKey: string;
  /** Wall clock (ms) the request `timestamp` and the rate limit go by. */
  wallClock: () => number;
  toleranceMs: number;
  rateLimitPerMinute: number;
  /** The URL the server listens at, once it does (the portal's links point there). */
  baseUrl: () => string;
  onExchange: (exchange: SimulatorExchange) => void;
};

/** The request handler of the simulator's server. */
export function createHttpSurface(options: HttpSurfaceOptions) {
  const { routes, brokerage, clientId, consumerKey, wallClock, toleranceMs } = options;
  const rateLimit = options.rateLimitPerMinute;
  const requestTimes: number[] = [];

  function authenticate(
    found: Route,
    path: string,
    rawQuery: string,
    query: URLSearchParams,
    rawBody: string,
    signature: string | undefined,
  ): { user: SimUser | null } {
    if (query.get('clientId') !== clientId) throw unauthorized('Invalid Client ID', 1076);
    const timestamp = Number(query.get('timestamp'));
    if (!Number.isFinite(timestamp) || Math.abs(wallClock() - timestamp * 1000) > toleranceMs) {
      throw unauthorized('Request expired: timestamp missing or too far from the current time', 1077);
    }
    let content: unknown;
    try {
      content = requestSignatureContent(rawBody);
    } catch {
      throw badRequest('Unable to verify data sent: the body is not JSON', 1076);
    }
    const expected = computeRequestSignature({ consumerKey, content, path, query: rawQuery });
    if (!signature || !signaturesEqual(expected, signature)) {
      throw unauthorized('Unable to verify signature sent', 1076);
    }
    if (found.auth !== 'user' && found.auth !== 'account') return { user: null };
    const user = brokerage.users.get(query.get('userId') ?? '');
    if (!user || !signaturesEqual(user.userSecret, query.get('userSecret') ?? '')) {
      throw unauthorized('Invalid userID or userSecret provided', 1083);
    }
    return { user };
  }

  /** SnapTrade's customer-level limit: a rolling minute. */
  function rateLimitHeaders(): { headers: Record<string, string>; exceeded: boolean } {
    const nowMs = wallClock();
    while (requestTimes.length > 0 && (requestTimes[0] ?? 0) <= nowMs - 60_000) requestTimes.shift();
    const exceeded = requestTimes.length >= rateLimit;
    if (!exceeded) requestTimes.push(nowMs);
    const oldest = requestTimes[0] ?? nowMs;
    return {
      exceeded,
      headers: {
        'X-RateLimit-Limit': String(rateLimit),
        'X-RateLimit-Remaining': String(Math.max(0, rateLimit - requestTimes.length)),
        'X-RateLimit-Reset': String(Math.max(1, Math.ceil((oldest + 60_000 - nowMs) / 1000))),
      },
    };
  }

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = (queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)) || '/';
    const rawQuery = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    const query = new URLSearchParams(rawQuery);
    const rawBody = await readBody(request);
    const requestHeaders = flattenHeaders(request.headers);

    let found: Route | null = null;
    let params: Record<string, string> = {};
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      found = candidate;
      params = Object.fromEntries(
        candidate.paramNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
      );
      break;
    }

    const record = (status: number, body: unknown, headers: Record<string, string>, contentType: string) => {
      const text = contentType === 'application/json' ? JSON.stringify(body) : String(body);
      response.writeHead(status, { 'Content-Type': contentType, ...headers });
      response.end(text);
      options.onExchange({
        operationId: found?.operationId ?? null,
        method,
        path,
        pathParams: params,
        rawQuery,
        query: Object.fromEntries(query),
        requestHeaders,
        requestBody: parseJsonOrUndefined(rawBody),
        status,
        responseHeaders: headers,
        responseBody: body,
      });
    };
    const answer = ({ status, body, headers }: Answer) => record(status, body, headers, 'application/json');

    if (PORTAL_PATHS.includes(path)) {
      const page = options.portal.serve(method, path, query, rawBody);
      record(
        page.status,
        page.body,
        page.headers,
        page.status === 302 ? 'text/plain' : 'text/html; charset=utf-8',
      );
      return;
    }
    if (!found) {
      const { status, body } = notFound();
      answer({ status, body, headers: {} });
      return;
    }

    const failure = options.failures.take(found.operationId);
    if (failure) {
      answer(failure);
      return;
    }
    const limit = rateLimitHeaders();
    if (limit.exceeded) {
      const wait = limit.headers['X-RateLimit-Reset'] ?? '1';
      answer({ status: 429, body: THROTTLED(wait), headers: { ...limit.headers, 'Retry-After': wait } });
      return;
    }

    try {
      const { user } =
        found.auth === 'none'
          ? { user: null }
          : authenticate(found, path, rawQuery, query, rawBody, requestHeaders.signature);
      let account: SimAccount | null = null;
      if (found.auth === 'account') {
        const candidate = brokerage.accounts.get(params.accountId ?? '');
        if (!candidate || candidate.userId !== user?.userId) throw notFound('Account not found');
        account = candidate;
      }
      const body = parseJsonOrUndefined(rawBody);
      if (rawBody.trim() !== '' && body === undefined) throw badRequest('Unable to verify data sent', 1076);
      const result = found.handler({ params, query, body, user, account, baseUrl: options.baseUrl() });
      if (options.drops.take(found.operationId)) {
        // Executed, but the connection dies before the answer: the caller cannot know.
        response.destroy();
        options.onExchange({
          operationId: found.operationId,
          method,
          path,
          pathParams: params,
          rawQuery,
          query: Object.fromEntries(query),
          requestHeaders,
          requestBody: body,
          status: 0,
          responseHeaders: {},
          responseBody: undefined,
          dropped: true,
        });
        return;
      }
      answer({ status: result.status ?? 200, body: result.body, headers: limit.headers });
    } catch (error) {
      if (error instanceof HttpFailure) {
        answer({ status: error.status, body: error.body, headers: limit.headers });
        return;
      }
      answer({
        status: 500,
        body: { detail: 'Encountered an unexpected exception.', status_code: 500, code: 1000 },
        headers: limit.headers,
      });
    }
  };
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') flat[name] = value;
    else if (Array.isArray(value)) flat[name] = value.join(', ');
  }
  return flat;
}
