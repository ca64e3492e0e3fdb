/**
 * Journeys over months of history: `npm run seed:demo`'s history written into the file's own
 * database before the server starts (its job workers would otherwise run the demo's copies on
 * today's clock), and demo users signed in through the API.
 */
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
import { buildTestApp, silentLogger } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { ApiUser, type Journey, SETUP_TIMEOUT_MS, startJourney } from './support';

/** A small history: a few traders and followers over about a month, the same every run. */
export const SMALL_DEMO: DemoShape = { traders: 3, subscribers: 4, months: 1, seed: 3 };

/** A journey whose database holds the demo history before its server starts. */
export function useDemoJourney(shape: DemoShape = SMALL_DEMO): Journey {
  const t = useTestDatabase();
  const journey = {} as Journey;
  beforeAll(async () => {
    const { auth, config } = buildTestApp(t);
    const quotes = createQuoteModel({ seed: 'demo-journey' });
    const clock = new DemoClock(new Date());
    const trading = buildTradingDeps({ db: t.db, config, now: clock.now, quotes });
    await seedDemoHistory({ db: t.db, auth, trading, quotes, clock, log: silentLogger() }, shape);
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
