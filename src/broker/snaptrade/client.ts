/**
 * The SnapTrade SDK client and the one way we send requests through it: rate-limit-aware,
 * bounded retries, outages as `BrokerUnavailableError`. Internal to `src/broker/snaptrade/`;
 * the rest of the code base talks to `adapter.ts` (the Broker port) and `connections.ts`.
 *
 * Every HTTP status comes back to us as a value (axios `validateStatus` always true): the SDK's
 * own 429 handling (fixed 5 s sleeps, console output) never runs, and each caller decides what a
 * 400 or a 404 means for its operation.
 */
import {
  type CommercialApiKeyAuth,
  Snaptrade,
  SnaptradeAuth,
  SnaptradeError,
} from 'snaptrade-typescript-sdk';
import type { z } from 'zod';
import { BrokerUnavailableError } from '../port';
import { type BudgetPriority, perMinuteBucket, perSecondBucket, type RateBudget } from '../rate-budget';

export type SnapTradeClientOptions = {
  clientId: string;
  consumerKey: string;
  /** API base URL; defaults to the SDK's (`https://api.snaptrade.com`). The simulator's `url` here. */
  basePath?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injectable so tests do not wait for real backoffs. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Jitter source in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /**
   * SnapTrade's limits shared by every process (PRODUCT.md §1a): each request draws on the
   * client id's per-minute budget, each trade also on its account's per-second one.
   */
  budget?: { rateBudget: RateBudget; requestsPerMinute: number; tradesPerSecondPerAccount: number };
};

/** What one request draws on the shared budget, and what it is told while it waits. */
export type BudgetDraw = {
  priority?: BudgetPriority;
  /** A trade on this SnapTrade account: also drawn on the account's trade budget. */
  tradeAccountId?: string;
  /** Called once when the request must wait for budget. */
  onQueued?: () => Promise<void>;
  /** Called right before the request goes out (after any wait). */
  onSend?: () => Promise<void>;
};

export type RetryPolicy = {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before the second attempt; doubles each time, with jitter. */
  baseDelayMs: number;
  /** No single wait is longer; a server asking for more makes us give up at once instead. */
  maxDelayMs: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 10_000 };

/**
 * `idempotent`: repeating the request is harmless (reads, cancel, login link), so 5xx answers and
 * lost connections are retried. `unsafe`: a repeat could act twice (placing an order, registering
 * a user); only answers proving the request was not carried out (429, connection refused) are
 * retried, anything else ambiguous becomes `BrokerUnavailableError` at once for the caller to
 * reconcile.
 */
export type RetryMode = 'idempotent' | 'unsafe';

export type ApiResponse = { status: number; data: unknown; headers: unknown };

/** SnapTrade answered in a way the caller cannot treat as an outcome: a bug or misconfiguration. */
export class SnapTradeApiError extends Error {
  override name = 'SnapTradeApiError';
  constructor(
    message: string,
    readonly operation: string,
    readonly status: number | null,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export class SnapTradeClient {
  readonly sdk: Snaptrade<CommercialApiKeyAuth>;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly random: () => number;
  /** Set when SnapTrade says the rate-limit window is used up; requests wait until then. */
  private notBefore = 0;
  private readonly budget: SnapTradeClientOptions['budget'];
  private readonly clientId: string;

  constructor(options: SnapTradeClientOptions) {
    this.budget = options.budget;
    this.clientId = options.clientId;
    const local = options.basePath ? isLoopback(options.basePath) : false;
    this.sdk = new Snaptrade({
      auth: SnaptradeAuth.commercialApiKey({ clientId: options.clientId, consumerKey: options.consumerKey }),
      ...(options.basePath ? { basePath: options.basePath.replace(/\/+$/, '') } : {}),
      baseOptions: {
        validateStatus: () => true,
        timeout: options.timeoutMs ?? 15_000,
        // A local simulator is never reached through a proxy from the environment.
        ...(local ? { proxy: false } : {}),
      },
    });
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /**
   * Sends a request (a thunk around one SDK call), retrying as `mode` allows. Returns the final
   * answer whatever its status, except 429 and 5xx, which throw `BrokerUnavailableError` once
   * retries are spent.
   */
  async send(
    operation: string,
    mode: RetryMode,
    request: () => Promise<ApiResponse>,
    draw: BudgetDraw = {},
  ): Promise<ApiResponse> {
    let lastRetryAfterMs: number | undefined;
    let queued = false;
    const onWait = async () => {
      if (queued) return;
      queued = true;
      await draw.onQueued?.();
    };
    for (let attempt = 1; ; attempt += 1) {
      await this.waitForRateLimitWindow();
      await this.drawBudget(draw, onWait);
      await draw.onSend?.();
      const isLast = attempt >= this.retry.maxAttempts;

      let response: ApiResponse;
      try {
        response = await request();
      } catch (error) {
        if (!(error instanceof SnaptradeError)) throw error; // our bug (e.g. RequiredError), not an outage
        const notSent =
          error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN';
        if (isLast || (mode === 'unsafe' && !notSent)) {
          const message = `SnapTrade ${operation}: ${describeNetworkError(error)}`;
          throw new BrokerUnavailableError(message, undefined, { cause: error });
        }
        await this.sleep(this.backoff(attempt));
        continue;
      }

      this.noteRateLimit(response.headers);
      const { status } = response;
      if (status !== 429 && status < 500) return response;

      const retryAfterMs =
        status === 429
          ? retryAfterFromResponse(response, this.now())
          : retryAfterHeader(response.headers, this.now());
      lastRetryAfterMs = retryAfterMs ?? lastRetryAfterMs;
      const message = `SnapTrade ${operation}: HTTP ${status}${describeBody(response.data)}`;
      // A throttled request was not carried out, so even unsafe ones may be repeated.
      const mayRepeat = status === 429 || mode === 'idempotent';
      if (isLast || !mayRepeat || (retryAfterMs !== undefined && retryAfterMs > this.retry.maxDelayMs)) {
        throw new BrokerUnavailableError(message, lastRetryAfterMs);
      }
      // This wait is SnapTrade's own instruction, for every process: it supersedes the window noted.
      this.notBefore = 0;
      if (this.budget && retryAfterMs !== undefined) {
        await this.budget.rateBudget.pause(
          this.requestsKey,
          perMinuteBucket(this.budget.requestsPerMinute),
          retryAfterMs,
        );
      }
      await this.sleep(retryAfterMs ?? this.backoff(attempt));
    }
  }

  private get requestsKey(): string {
    return `snaptrade:requests:${this.clientId}`;
  }

  /** Waits for the shared budget: the account's trade budget first, then the client id's. */
  private async drawBudget(draw: BudgetDraw, onWait: () => Promise<void>): Promise<void> {
    if (!this.budget) return;
    const { rateBudget, requestsPerMinute, tradesPerSecondPerAccount } = this.budget;
    if (draw.tradeAccountId) {
      await rateBudget.take(
        `snaptrade:trades:${draw.tradeAccountId}`,
        perSecondBucket(tradesPerSecondPerAccount),
        draw.priority ?? 'normal',
        onWait,
      );
    }
    await rateBudget.take(
      this.requestsKey,
      perMinuteBucket(requestsPerMinute),
      draw.priority ?? 'normal',
      onWait,
    );
  }

  /** Sends an idempotent read and answers its body, checked; any refusal throws (`expectOk`). */
  async read<T>(operation: string, schema: z.ZodType<T>, request: () => Promise<ApiResponse>): Promise<T> {
    return expectOk(operation, schema, await this.send(operation, 'idempotent', request));
  }

  /** Exponential backoff with jitter: base × 2^(attempt−1) × [0.5, 1), capped. */
  private backoff(attempt: number): number {
    const exponential = this.retry.baseDelayMs * 2 ** (attempt - 1);
    return Math.min(this.retry.maxDelayMs, Math.round(exponential * (0.5 + this.random() / 2)));
  }

  private noteRateLimit(headers: unknown): void {
    const remaining = numberHeader(headers, 'x-ratelimit-remaining');
    const resetSeconds = numberHeader(headers, 'x-ratelimit-reset');
    if (remaining === 0 && resetSeconds !== undefined && resetSeconds > 0) {
      this.notBefore = this.now().getTime() + Math.min(resetSeconds * 1000, this.retry.maxDelayMs);
    }
  }

  private async waitForRateLimitWindow(): Promise<void> {
    const waitMs = this.notBefore - this.now().getTime();
    this.notBefore = 0;
    if (waitMs > 0) await this.sleep(waitMs);
  }
}

/** How long SnapTrade asks us to wait after a 429: `Retry-After`, the body, then the rate-limit reset. */
function retryAfterFromResponse(response: ApiResponse, now: Date): number | undefined {
  const fromHeader = retryAfterHeader(response.headers, now);
  if (fromHeader !== undefined) return fromHeader;
  // {"detail":"Request was throttled. Expected available in 7 seconds.","status_code":429}
  const detail = errorMessage(response.data);
  const inBody = detail ? /available in (\d+(?:\.\d+)?) seconds?/i.exec(detail) : null;
  if (inBody?.[1]) return Math.ceil(Number(inBody[1]) * 1000);
  const resetSeconds = numberHeader(response.headers, 'x-ratelimit-reset');
  return resetSeconds !== undefined && resetSeconds >= 0 ? resetSeconds * 1000 : undefined;
}

/** `Retry-After` as delay-seconds or an HTTP date. */
function retryAfterHeader(headers: unknown, now: Date): number | undefined {
  const value = stringHeader(headers, 'retry-after');
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

function stringHeader(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const record = headers as Record<string, unknown>;
  const value = record[name] ?? record[name.toLowerCase()];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function numberHeader(headers: unknown, name: string): number | undefined {
  const value = stringHeader(headers, name);
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** The body of a successful answer, checked against what we read of it. */
export function parseBody<T>(operation: string, schema: z.ZodType<T>, response: ApiResponse): T {
  const result = schema.safeParse(response.data);
  if (!result.success) {
    throw new SnapTradeApiError(
      `SnapTrade ${operation}: unexpected response body (${result.error.issues[0]?.message ?? 'invalid'})`,
      operation,
      response.status,
      response.data,
    );
  }
  return result.data;
}

/** The checked body of an answer that must be a success; anything else throws `unexpectedResponse`. */
export function expectOk<T>(operation: string, schema: z.ZodType<T>, response: ApiResponse): T {
  if (response.status >= 400) throw unexpectedResponse(operation, response);
  return parseBody(operation, schema, response);
}

/** An answer the operation has no outcome for (401, 403, unexpected 4xx). */
export function unexpectedResponse(operation: string, response: ApiResponse): SnapTradeApiError {
  return new SnapTradeApiError(
    `SnapTrade ${operation}: HTTP ${response.status}${describeBody(response.data)}`,
    operation,
    response.status,
    response.data,
  );
}

/** The human message of a SnapTrade error body, whichever of its shapes it uses. */
export function errorMessage(body: unknown): string | null {
  if (typeof body === 'string') return body.trim() === '' ? null : body.slice(0, 500);
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  for (const key of ['detail', 'default_detail', 'message', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return null;
}

function describeBody(body: unknown): string {
  const message = errorMessage(body);
  return message ? ` (${message})` : '';
}

function describeNetworkError(error: SnaptradeError): string {
  // The SDK's message embeds every response header; the code is what matters here.
  return error.code ? `network error ${error.code}` : 'network error';
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}
