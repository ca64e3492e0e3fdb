/**
 * The demo history of `npm run seed:demo`: traders and subscribers who trade for months on
 * paper accounts through the real services, on a clock moved through the past. Every order is
 * placed by placeBto/placeStc and filled by the paper broker at its simulated quotes, every copy
 * is decided and placed by the copy engine, approvals are answered (or left to lapse) through
 * the copy services, and positions past their expiration are expired by the expiry job's
 * service. Nothing is written around them: only the usernames, which no service sets yet.
 */
import { sql } from 'drizzle-orm';
import type { Auth } from '../auth';
import type { QuoteModel } from '../broker/paper/quotes';
import type { Database } from '../db/client';
import { addDays, dayOfWeek } from '../domain/civil-date';
import {
  easternDate,
  easternInstant,
  isTradingDay,
  marketClose,
  previousTradingDay,
} from '../domain/market-calendar';
import type { OptionType } from '../domain/occ';
import { isAppError } from '../errors';
import type { Logger } from '../logger';
import { createPaperAccount } from '../services/accounts/create-paper-account';
import { syncBalances } from '../services/accounts/sync-balances';
import { refreshAnalytics } from '../services/analytics/refresh-analytics';
import type { ServiceContext } from '../services/context';
import { approveCopy, dismissCopy } from '../services/copy/decide-approval';
import { fanOutCopies } from '../services/copy/fan-out-copies';
import { lapseApprovals } from '../services/copy/lapse-approvals';
import { listCopyLog } from '../services/copy/list-copy-log';
import { becomeTrader } from '../services/subscriptions/become-trader';
import { subscribe } from '../services/subscriptions/subscribe';
import { verifyTrader } from '../services/subscriptions/verify-trader';
import type { TradingDeps } from '../services/trading/deps';
import { expirePositions } from '../services/trading/expire-positions';
import { placeBto } from '../services/trading/place-bto';
import { placeStc } from '../services/trading/place-stc';

export type DemoShape = { traders: number; subscribers: number; months: number; seed: number };

export const DEMO_DEFAULTS: DemoShape = { traders: 5, subscribers: 30, months: 4, seed: 7 };

/** Every demo user signs in with this password. */
export const DEMO_PASSWORD = 'demo-password-123';
export const demoEmail = (kind: 'trader' | 'follower', n: number) => `${kind}${n}@demo.alertsify.test`;

const TRADER_NAMES = [
  'theta_queen',
  'gamma_scalper',
  'iron_condor',
  'delta_hedger',
  'vega_hunter',
  'strike_zone',
  'wheel_runner',
  'spread_eagle',
];
const TICKERS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'TSLA', 'META', 'SPY', 'QQQ', 'AMD', 'GOOGL'];

/** A clock the simulation sets; every service and the paper broker read it. */
export class DemoClock {
  private current: Date;
  constructor(start: Date) {
    this.current = new Date(start.getTime());
  }
  now = (): Date => new Date(this.current.getTime());
  set(instant: Date): void {
    this.current = new Date(instant.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Mulberry32: a small deterministic generator, so the same seed gives the same history. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    between: (low: number, high: number) => low + Math.floor(next() * (high - low + 1)),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from nothing');
      return item;
    },
  };
}

type Person = { id: string; email: string; username: string; ctx: ServiceContext; accountId: string };

type Holding = { positionId: string; owner: Person; held: number; closeOn: string; expiration: string };

/** An action of the day, at its instant on New York's clock. */
type Action = { at: Date; run: () => Promise<void> };

export type DemoDeps = {
  db: Database;
  auth: Auth;
  trading: TradingDeps;
  quotes: QuoteModel;
  clock: DemoClock;
  log: Logger;
};

/** The Friday expiring `weeks` weeks after `date` (a Thursday when that Friday is a holiday). */
function fridayAfter(date: string, weeks: number): string {
  const friday = addDays(date, ((5 - dayOfWeek(date) + 7) % 7) + 7 * weeks);
  return isTradingDay(friday) ? friday : previousTradingDay(friday);
}

export async function seedDemoHistory(deps: DemoDeps, shape: DemoShape): Promise<Record<string, number>> {
  const { db, clock, log } = deps;
  const random = generator(shape.seed);
  const context = (userId: string): ServiceContext => ({
    db,
    actor: { type: 'user', userId },
    now: clock.now,
    log,
  });
  const system: ServiceContext = { db, actor: { type: 'system', job: 'seed-demo' }, now: clock.now, log };
  const today = easternDate(new Date());
  const firstDay = addDays(today, -Math.round(shape.months * 30.4));
  clock.set(easternInstant(addDays(firstDay, -1), 9, 0));

  const person = async (kind: 'trader' | 'follower', n: number, username: string): Promise<Person> => {
    const email = demoEmail(kind, n);
    const { user } = await deps.auth.api.signUpEmail({
      body: { email, password: DEMO_PASSWORD, name: `${kind === 'trader' ? 'Trader' : 'Follower'} ${n}` },
    });
    // No service sets a username yet (it is what the leaderboard shows); demo addresses receive
    // no mail, so they are taken as confirmed (a trader needs a confirmed address).
    await db.execute(
      sql`UPDATE users SET username = ${username}, email_verified = true WHERE id = ${user.id}`,
    );
    const ctx = context(user.id);
    const account = await createPaperAccount({ ctx, input: { startingBalance: '250000' } });
    return { id: user.id, email, username, ctx, accountId: account.id };
  };

  const traders: Person[] = [];
  for (let n = 1; n <= shape.traders; n++) {
    const trader = await person('trader', n, TRADER_NAMES[n - 1] ?? `trader_${n}`);
    await becomeTrader({ ctx: trader.ctx });
    if (n <= Math.ceil(shape.traders / 2))
      await verifyTrader({ ctx: system, input: { email: trader.email } });
    traders.push(trader);
  }
  const followers: Person[] = [];
  const approvesByHand = new Set<string>();
  for (let n = 1; n <= shape.subscribers; n++) {
    const follower = await person('follower', n, `follower_${String(n).padStart(2, '0')}`);
    followers.push(follower);
    const autoExecute = !random.chance(0.2);
    if (!autoExecute) approvesByHand.add(follower.id);
    const followed = new Set<Person>();
    const count = random.between(1, Math.min(3, traders.length));
    while (followed.size < count) followed.add(random.pick(traders));
    for (const trader of followed) {
      await subscribe({
        ctx: follower.ctx,
        input: {
          traderId: trader.id,
          settings: {
            autoExecute,
            scalingFactor: random.pick([1, 1, 0.5, 2, 0.3]),
            maxPositionSize: 10,
            maxDailyTrades: random.pick([1, 3, 5, 5]),
          },
        },
      });
    }
  }

  const counts = { traderOrders: 0, followerOrders: 0, fanOuts: 0, approvals: 0, expired: 0, refused: 0 };
  const holdings: Holding[] = [];

  const open = async (owner: Person, day: string, copyable: boolean) => {
    const ticker = random.pick(TICKERS);
    const spot = deps.quotes.underlyingPrice(ticker, clock.now());
    const step = spot < 50 ? 1 : 5;
    const strike = Math.max(step, Math.round((spot * (0.97 + random.next() * 0.06)) / step) * step);
    const optionType: OptionType = random.chance(0.55) ? 'call' : 'put';
    const expiration = fridayAfter(day, random.chance(0.15) ? 0 : random.between(1, 6));
    const trade = await placeBto({
      ctx: owner.ctx,
      deps: deps.trading,
      input: {
        side: 'BTO',
        underlying: ticker,
        optionType,
        strike: String(strike),
        expiration,
        quantity: random.between(1, 5),
      },
    });
    if (copyable) counts.traderOrders++;
    else counts.followerOrders++;
    if (trade.status !== 'filled') return;
    if (copyable) await copy(trade.id);
    // Held 0 to 8 trading days; some are left to expire.
    const closeOn = random.chance(0.1) ? expiration : addDays(day, random.between(0, 8));
    holdings.push({
      positionId: trade.parentTradeId,
      owner,
      held: trade.filledQuantity ?? 0,
      // A close planned past the expiration never happens: the position expires.
      closeOn: closeOn <= expiration ? closeOn : addDays(expiration, 1),
      expiration,
    });
  };

  /** The fan-out, as its job would run it a moment after the fill; then hand approvals. */
  const copy = async (tradeId: string) => {
    clock.advance(random.between(500, 4_000));
    await fanOutCopies({ ctx: system, deps: deps.trading, input: { tradeId } });
    counts.fanOuts++;
    for (const follower of followers) {
      if (!approvesByHand.has(follower.id)) continue;
      const waiting = await listCopyLog({
        ctx: follower.ctx,
        input: { query: { outcome: 'pending_approval' } },
      });
      for (const decision of waiting.copies) {
        if (decision.sourceTradeId !== tradeId) continue;
        const answer = random.next();
        try {
          if (answer < 0.6)
            await approveCopy({ ctx: follower.ctx, deps: deps.trading, input: { decisionId: decision.id } });
          else if (answer < 0.8) await dismissCopy({ ctx: follower.ctx, input: { decisionId: decision.id } });
          counts.approvals++;
        } catch (error) {
          // A business refusal (nothing left to close) is an answer too; a bug is not.
          if (!isAppError(error) || error.code === 'INTERNAL') throw error;
        }
      }
    }
  };

  const close = async (holding: Holding) => {
    const quantity = holding.held > 1 && random.chance(0.3) ? Math.ceil(holding.held / 2) : holding.held;
    const trade = await placeStc({
      ctx: holding.owner.ctx,
      deps: deps.trading,
      input: { side: 'STC', positionId: holding.positionId, quantity },
    });
    const isTrader = traders.includes(holding.owner);
    if (isTrader) counts.traderOrders++;
    else counts.followerOrders++;
    holding.held -= trade.filledQuantity ?? 0;
    if (isTrader && (trade.filledQuantity ?? 0) > 0) await copy(trade.id);
  };

  for (let day = firstDay; day < today; day = addDays(day, 1)) {
    if (!isTradingDay(day)) continue;
    const actions: Action[] = [];
    // From 09:35 to 10 minutes before the close (13:00 on half days), when contracts still quote.
    const opening = easternInstant(day, 9, 35).getTime();
    const closing = (marketClose(day) ?? easternInstant(day, 16, 0)).getTime();
    const at = () => new Date(opening + Math.floor(random.next() * (closing - 600_000 - opening)));
    for (const trader of traders) {
      const opens = random.chance(0.7) ? random.between(1, 2) : 0;
      for (let i = 0; i < opens; i++) actions.push({ at: at(), run: () => open(trader, day, true) });
    }
    for (const follower of followers) {
      if (random.chance(0.08)) actions.push({ at: at(), run: () => open(follower, day, false) });
    }
    for (const holding of holdings) {
      if (holding.held > 0 && holding.closeOn <= day && holding.expiration >= day) {
        actions.push({ at: at(), run: () => close(holding) });
      }
    }
    actions.sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const action of actions) {
      clock.set(action.at);
      try {
        await action.run();
      } catch (error) {
        // A refusal the product gives anyone (no quote, not enough buying power) skips the
        // action, as it would a user's; anything else is a bug and stops the seed.
        if (!isAppError(error) || error.code === 'INTERNAL') throw error;
        counts.refused++;
        log.debug({ err: error }, 'demo action refused');
      }
    }
    // After the close: lapse unanswered approvals, expire what expired today.
    clock.set(new Date(closing + 300_000));
    await lapseApprovals({ ctx: system });
    counts.expired += (await expirePositions({ ctx: system, deps: deps.trading })).expired.length;
    for (let i = holdings.length - 1; i >= 0; i--) {
      const holding = holdings[i];
      if (holding && (holding.held <= 0 || holding.expiration <= day)) holdings.splice(i, 1);
    }
    if (dayOfWeek(day) === 5) log.info({ day, ...counts }, 'seeding demo history');
  }

  clock.set(new Date());
  for (const member of [...traders, ...followers]) {
    await syncBalances({ ctx: member.ctx, deps: deps.trading, input: { accountId: member.accountId } });
  }
  await refreshAnalytics({ ctx: system });
  return counts;
}
