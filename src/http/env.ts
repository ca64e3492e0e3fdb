import type { HttpBindings } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Auth } from '../auth';
import type { Config } from '../config';
import { validationErrorFromZod } from '../errors';
import type { Logger } from '../logger';
import type { Actor, Database, ServiceContext } from '../services/context';
import type { LiveHub } from '../services/live/hub';
import type { DeliveryDeps } from '../services/notifications/deps';
import type { TradingDeps } from '../services/trading/deps';

/** What the HTTP layer is built from. Routers receive it; they never open the database themselves. */
export type AppDeps = {
  db: Database;
  config: Config;
  log: Logger;
  auth: Auth;
  now: () => Date;
  /** Brokers behind the trading routes. */
  trading: TradingDeps;
  /** Push (the VAPID public key, accepted endpoints) for the push-subscription routes. */
  delivery: DeliveryDeps;
  /** This process's live event fan-out, behind `GET /api/events` (the server always has one). */
  live: LiveHub | undefined;
};

export type AppVariables = {
  requestId: string;
  /** The request's logger, already bound to its request id. */
  log: Logger;
  actor: Actor;
  /** The signed-in session's id (set with the actor by requireAuth). */
  sessionId: string;
};

/** Bindings are partial: in-process tests (`app.request`) have no Node socket behind them. */
export type AppEnv = { Bindings: Partial<HttpBindings>; Variables: AppVariables };

export type AppContext = Context<AppEnv>;

/**
 * A router whose request validation failures become VALIDATION errors naming the field, handled
 * by the one error mapper like every other error.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationErrorFromZod(result.error);
    },
  });
}

/** The service context for this request: who acts comes from the auth middleware. */
export function serviceContext(deps: AppDeps, c: AppContext): ServiceContext {
  return { db: deps.db, actor: c.get('actor'), now: deps.now, log: c.get('log') };
}
