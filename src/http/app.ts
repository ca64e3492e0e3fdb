import type { OpenAPIHono } from '@hono/zod-openapi';
import { type Auth, createAuth } from '../auth';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { type Database, systemClock } from '../services/context';
import type { LiveHub } from '../services/live/hub';
import { type DeliveryDeps, deliveryDeps } from '../services/notifications/deps';
import type { TradingDeps } from '../services/trading/deps';
import { type AppDeps, type AppEnv, createRouter } from './env';
import { errorResponse } from './errors';
import { requestContext } from './middleware/request-id';
import { requestLog } from './middleware/request-log';
import { serveOpenApiDocument } from './openapi';
import { accountsRouter } from './routes/accounts';
import { analyticsRouter } from './routes/analytics';
import { authRouter } from './routes/auth';
import { copiesRouter } from './routes/copies';
import { eventsRouter } from './routes/events';
import { exportsRouter } from './routes/exports';
import { healthRouter } from './routes/health';
import { meRouter } from './routes/me';
import { notificationsRouter } from './routes/notifications';
import { ordersRouter } from './routes/orders';
import { positionsRouter } from './routes/positions';
import { pushSubscriptionsRouter } from './routes/push-subscriptions';
import { quotesRouter } from './routes/quotes';
import { subscriptionsRouter } from './routes/subscriptions';
import { tradersRouter } from './routes/traders';
import { webhooksRouter } from './routes/webhooks';
import { serveSpa } from './static';

export type CreateAppOptions = {
  db: Database;
  config: Config;
  log: Logger;
  /** Injected clock (tests move time); defaults to the system clock. */
  now?: () => Date;
  /** Defaults to better-auth configured from `config` over `db`. */
  auth?: Auth;
  /** A built single-page app to serve outside `/api` (web/dist). */
  staticDir?: string;
  trading: TradingDeps;
  /** Push and Discord settings; from `config` by default. */
  delivery?: DeliveryDeps;
  /** The process's live event hub (the server starts one; in-process tests may give their own). */
  live?: LiveHub;
};

export type App = OpenAPIHono<AppEnv>;

export function createApp(options: CreateAppOptions): App {
  const deps: AppDeps = {
    db: options.db,
    config: options.config,
    log: options.log,
    now: options.now ?? systemClock,
    auth:
      options.auth ??
      createAuth({ db: options.db, config: options.config, log: options.log, now: options.now }),
    trading: options.trading,
    delivery: options.delivery ?? deliveryDeps(options.config),
    live: options.live,
  };

  const app = createRouter();
  app.use('*', requestContext(deps.log));
  app.use('*', requestLog());
  app.onError((error, c) => errorResponse(c, error));

  // One router per resource; each validates, calls services and lets errors reach the mapper.
  app.route('/api', healthRouter(deps));
  app.route('/api', meRouter(deps));
  app.route('/api', authRouter(deps));
  app.route('/api', accountsRouter(deps));
  app.route('/api', ordersRouter(deps));
  app.route('/api', positionsRouter(deps));
  app.route('/api', quotesRouter(deps));
  app.route('/api', subscriptionsRouter(deps));
  app.route('/api', tradersRouter(deps));
  app.route('/api', copiesRouter(deps));
  app.route('/api', notificationsRouter(deps));
  app.route('/api', pushSubscriptionsRouter(deps));
  app.route('/api', eventsRouter(deps));
  app.route('/api', analyticsRouter(deps));
  app.route('/api', webhooksRouter(deps));
  app.route('/api', exportsRouter(deps));
  serveOpenApiDocument(app, deps.config.version);

  if (options.staticDir) app.get('*', serveSpa(options.staticDir));
  app.notFound((c) =>
    errorResponse(c, new AppError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`)),
  );
  return app;
}
