import type { Executor } from '../db/client';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/** Who is acting. Workers act as `system`; requests without a session as `anonymous`. */
export type Actor =
  | { type: 'user'; userId: string }
  | { type: 'system'; job: string }
  | { type: 'anonymous' };

/**
 * What every service receives: the database (or an open transaction to join), who acts, the
 * clock and a logger. `now` is injected so tests can freeze or move time.
 */
export type ServiceContext = {
  db: Executor;
  actor: Actor;
  now: () => Date;
  log: Logger;
};

/**
 * The database handle, for layers that only hold it and pass it on (HTTP builds service
 * contexts from it and never imports the database layer itself).
 */
export type { Database } from '../db/client';

export const systemClock = (): Date => new Date();

/** The context of work the system does on its own (a job, an admin command), named for the audit log. */
export function systemContext(
  deps: { db: Executor; now: () => Date; log: Logger },
  job: string,
): ServiceContext {
  return { db: deps.db, actor: { type: 'system', job }, now: deps.now, log: deps.log };
}

/** The signed-in user's id, or UNAUTHENTICATED: the first line of any per-user service. */
export function requireUser(ctx: Pick<ServiceContext, 'actor'>): string {
  if (ctx.actor.type !== 'user') throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  return ctx.actor.userId;
}
