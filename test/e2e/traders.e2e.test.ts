/**
 * The leaderboard and trader profiles over a month of demo history (and more traders than a
 * page): sorting, periods, searching and paging show what the API answers, rank changes read in
 * arrows and words, a profile's follower results are the API's, and a phone shows the board
 * 390 px wide.
 */
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useDemoJourney } from './demo';
import {
  type ApiUser,
  expectAccessible,
  expectHeading,
  expectNoHorizontalScroll,
  JOURNEY_TIMEOUT_MS,
  type Json,
  type OpenedPage,
  openPage,
  PHONE,
  SETUP_TIMEOUT_MS,
  screenshot,
  seedUser,
  signedDollars,
} from './support';

/** Traders beyond the demo's three, with no trades: the board then has more than a page (20). */
const journey = useDemoJourney(undefined, { extraTraders: 18 });
let viewer: ApiUser;
let opened: OpenedPage;
let page: Page;

type Entry = {
  id: string;
  name: string | null;
  username: string | null;
  rank: number;
  rankChange: number | null;
};
type Board = { traders: Entry[]; nextCursor: string | null };

beforeAll(async () => {
  viewer = await seedUser(journey, 'viewer', { paper: true });
  opened = await openPage(journey, viewer);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

const board = (query: string) => viewer.get(`/api/traders?limit=20&${query}`) as Promise<Board>;
const shownName = (entry: Entry) => entry.name ?? entry.username ?? 'A trader';

function rows(): Locator {
  return page.locator('section[aria-labelledby="leaderboard-heading"] tbody tr');
}

async function expectBoard(entries: Entry[]): Promise<void> {
  await expect
    .poll(() => rows().locator('td:nth-child(2) a').allTextContents())
    .toEqual(entries.map(shownName));
}

describe('the leaderboard', () => {
  it('sorts, changes period, searches and pages as the API does', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/traders');
    await expectHeading(page, 'Traders');
    const first = await board('');
    expect(first.nextCursor).not.toBeNull();
    await expectBoard(first.traders);

    // Rank changes on the all-time P&L board: an arrow and the places, in words for a screen reader.
    for (const [index, entry] of first.traders.entries()) {
      const rank = rows().nth(index).locator('td').first();
      const text = (await rank.textContent()) ?? '';
      const change = entry.rankChange ?? 0;
      if (change > 0) expect(text).toContain(`${entry.rank}▲${change}, up ${change}`);
      else if (change < 0) expect(text).toContain(`${entry.rank}▼${-change}, down ${-change}`);
      else expect(text).toContain(`${entry.rank}=, unchanged since yesterday`);
    }
    await expectAccessible(page, 'the leaderboard');

    // The next page follows the first.
    const second = (await viewer.get(
      `/api/traders?limit=20&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
    )) as Board;
    await page.getByRole('button', { name: 'Show more' }).click();
    await expectBoard([...first.traders, ...second.traders]);
    expect(await page.getByRole('button', { name: 'Show more' }).count()).toBe(0);

    // A column header sorts: highest first, then lowest first.
    const winRate = page.getByRole('columnheader', { name: /Win rate/ });
    await winRate.getByRole('button').click();
    await expectBoard((await board('sort=winRate')).traders);
    expect(await winRate.getAttribute('aria-sort')).toBe('descending');
    // The README's picture: the demo traders (the others have no win rate yet) lead.
    await screenshot(page, 'leaderboard', { fullPage: false });
    await winRate.getByRole('button').click();
    await expectBoard((await board('sort=winRate&order=asc')).traders);
    await page.waitForURL('**/traders?sort=winRate&order=asc');
    expect(await winRate.getAttribute('aria-sort')).toBe('ascending');
    // Only the all-time P&L board has rank changes.
    expect(await rows().first().locator('td').first().textContent()).toMatch(/^\d+$/);

    await page.getByLabel('Rank by').selectOption({ label: 'P&L over the period' });
    await page.getByRole('radiogroup', { name: 'Period' }).getByText('7 days').click();
    const week = await board('period=7d');
    await expectBoard(week.traders);
    // The view is in the address: a reload (or a shared link) shows the same board.
    await page.waitForURL('**/traders?period=7d');
    await page.reload();
    await expectBoard(week.traders);
    const top = week.traders[0] as Entry & { pnl: string };
    expect(await rows().first().textContent()).toContain(signedDollars(top.pnl));

    await page.getByLabel('Search by username').fill('theta');
    await expectBoard((await board('period=7d&q=theta')).traders);
    await page.getByLabel('Search by username').fill('nobody-by-this-name');
    await page.getByText(/^No trader’s username matches “nobody-by-this-name”/).waitFor();
  });

  it('fits a phone', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    const phone = await openPage(journey, viewer, PHONE);
    try {
      await phone.page.goto('/traders');
      await phone.page.locator('section[aria-labelledby="leaderboard-heading"] tbody tr').first().waitFor();
      await expectNoHorizontalScroll(phone.page);
      // The table itself fits: its figures are not hidden behind a sideways scroll.
      const table = phone.page.locator('section[aria-labelledby="leaderboard-heading"] table');
      expect(
        await table.evaluate((element) => element.scrollWidth - (element.parentElement?.clientWidth ?? 0)),
      ).toBeLessThanOrEqual(0);
      await expectAccessible(phone.page, 'the leaderboard on a phone');
      await screenshot(phone.page, 'leaderboard-phone', { fullPage: false });
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});

describe('a trader profile', () => {
  it('shows the API’s follower results, statistics, curve and recent positions', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    // The demo trader most copied: the first by followers.
    const [leader] = (await board('sort=followers')).traders;
    if (!leader) throw new Error('no trader on the board');
    const profile = (await viewer.get(`/api/traders/${leader.id}`)) as Json & {
      followerResults: {
        totalPnl: string;
        copiedShare: string | null;
        medianCopyDelaySeconds: number | null;
        averageSlippage: string | null;
        copiedOpenings: number;
        openings: number;
      };
      statistics: { totalPnl: string };
      recentPositions: unknown[];
    };
    const results = profile.followerResults;
    expect(results.copiedOpenings).toBeGreaterThan(0);

    await page.goto('/traders');
    await page.getByLabel('Search by username').fill(leader.username ?? '');
    await page.getByRole('link', { name: shownName(leader), exact: true }).click();
    await expectHeading(page, shownName(leader));
    const card = (label: string) => page.getByRole('group', { name: label, exact: true });
    const followers = page.locator('section[aria-labelledby="followers-heading"]');
    await followers
      .getByRole('group', { name: 'Followers’ realised P&L' })
      .getByText(signedDollars(results.totalPnl))
      .waitFor();
    const share = results.copiedShare === null ? '—' : `${(Number(results.copiedShare) * 100).toFixed(1)}%`;
    expect(await followers.getByRole('group', { name: 'Trades copied' }).textContent()).toContain(
      `${share}${results.copiedOpenings} of ${results.openings} buys copied`,
    );
    const delay = results.medianCopyDelaySeconds;
    expect(delay).not.toBeNull();
    expect(await followers.getByRole('group', { name: 'Median copy delay' }).textContent()).toContain(
      (delay ?? 0) < 60 ? `${(delay ?? 0).toFixed(1)} s` : ' min ',
    );
    const slippage = Number(results.averageSlippage);
    const slippageText = `${slippage > 0 ? '+' : slippage < 0 ? '\u2212' : ''}${Math.abs(slippage).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
    expect(await followers.getByRole('group', { name: 'Average slippage' }).textContent()).toContain(
      slippageText,
    );

    expect(await card('Total P&L').textContent()).toContain(signedDollars(profile.statistics.totalPnl));
    await page
      .locator('section[aria-labelledby="trader-curve-heading"] .recharts-area')
      .waitFor({ state: 'attached' });
    expect(await page.locator('section[aria-labelledby="recent-heading"] tbody tr').count()).toBe(
      profile.recentPositions.length,
    );
    await expectAccessible(page, 'a trader profile with statistics');
    await page.setViewportSize({ width: 1280, height: 1800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'trader-statistics', { fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Subscribing from the profile.
    const form = page.getByRole('region', { name: `Copy ${shownName(leader)}` });
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByText(`You copy ${shownName(leader)}`).waitFor();
  });

  it('teaches what the figures will be for a trader with no trades yet', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    const whole = (await viewer.get('/api/traders?limit=100')) as Board;
    const newcomer = whole.traders.find((entry) => entry.name === 'Extra 1');
    await page.goto(`/traders/${newcomer?.id}`);
    await expectHeading(page, 'Extra 1');
    await page.getByText(/^No trades yet: figures appear once/).waitFor();
    await page.getByText(/^No follower has copied a trade of this trader yet\./).waitFor();
    await expectAccessible(page, 'a trader profile with no trades');
  });

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
