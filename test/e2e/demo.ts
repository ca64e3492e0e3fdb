/**
 * Journeys over months of history: `npm run seed:demo`'s history written into the file's own
 * database before the server starts (its job workers would otherwise run the demo's copies on
 * today's clock), and demo users signed in through the API.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { createQuoteModel } from '../../src/broker/paper/quotes';
import {
  DEMO_PASSWORD,
  DemoClock,
  type DemoShape,
  demoEmail,
  seedDemoHistory,
} from '../../src/cli/demo-history';
import { buildTradingDeps } from '../../src/runtime';
import { becomeTrader } from '../../src/services/subscriptions/become-trader';
import { buildTestApp, silentLogger } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { ApiUser, type Journey, SETUP_TIMEOUT_MS, startJourney } from './support';

/**
 * A small history: a few traders and followers over about a month, from a fixed seed (the days
 * move with the calendar). Six followers, so that one has certainly closed positions of their
 * own as well as copied ones (each opens one on about one trading day in twelve).
 */
export const SMALL_DEMO: DemoShape = { traders: 3, subscribers: 6, months: 1, seed: 3 };

/**
 * A journey whose database holds the demo history before its server starts, and optionally
 * `extraTraders` more traders with no trades ("Extra 1" …), signed up and made traders through
 * the services as the demo's own are.
 */
export function useDemoJourney(
  shape: DemoShape = SMALL_DEMO,
  options: { extraTraders?: number } = {},
): Journey {
  const t = useTestDatabase();
  const journey = {} as Journey;
  beforeAll(async () => {
    const { auth, config } = buildTestApp(t);
    const quotes = createQuoteModel({ seed: 'demo-journey' });
    const clock = new DemoClock(new Date());
    const trading = buildTradingDeps({ db: t.db, config, now: clock.now, quotes });
    const log = silentLogger();
    await seedDemoHistory({ db: t.db, auth, trading, quotes, clock, log }, shape);
    for (let n = 1; n <= (options.extraTraders ?? 0); n++) {
      const { user } = await auth.api.signUpEmail({
        body: { email: `extra${n}@demo.alertsify.test`, password: DEMO_PASSWORD, name: `Extra ${n}` },
      });
      // Demo addresses receive no mail: taken as confirmed, as seed:demo does.
      await t.db.execute(sql`UPDATE users SET email_verified = true WHERE id = ${user.id}`);
      await becomeTrader({
        ctx: { db: t.db, actor: { type: 'user', userId: user.id }, now: () => new Date(), log },
      });
    }
    Object.assign(journey, await startJourney(t));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await journey.stop?.();
  }, 30_000);
  return journey;
}

/** A demo user, signed in through the API (its session cookie kept for a browser). */
export async function signInDemo(journey: Journey, kind: 'trader' | 'follower', n: number): Promise<ApiUser> {
  const user = new ApiUser(journey.baseUrl, kind);
  const body = await user.post('/api/auth/sign-in/email', {
    email: demoEmail(kind, n),
    password: DEMO_PASSWORD,
  });
  user.id = (body.user as { id: string }).id;
  return user;
}
