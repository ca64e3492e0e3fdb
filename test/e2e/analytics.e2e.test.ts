/**
 * Analytics over a month of demo history: for each position of the all / manual / copied
 * switch, the figures on the page are the API's and the charts are drawn; the closed positions
 * filter, sort and page like the API; a phone shows it all 390 px wide; a new user is taught
 * what to do next.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signInDemo, useDemoJourney } from './demo';
import {
  type ApiUser,
  expectAccessible,
  expectHeading,
  expectNoHorizontalScroll,
  JOURNEY_TIMEOUT_MS,
  liveEventsAvailable,
  type OpenedPage,
  openPage,
  PHONE,
  SETUP_TIMEOUT_MS,
  screenshot,
  seedUser,
  signedDollars,
} from './support';

const journey = useDemoJourney();
let follower: ApiUser;
let opened: OpenedPage;
let page: Page;

type Statistics = {
  closedPositions: number;
  openPositions: number;
  wins: number;
  losses: number;
  totalPnl: string;
  winRate: string | null;
  maxDrawdown: string;
  biggestWin: string | null;
  biggestLoss: string | null;
  expectancy: string | null;
  profitFactor: string | null;
};
type Period = { period: string; totalPnl: string; closedPositions: number };
type ClosedPosition = { id: string; pnl: string; result: string };

const percent = (ratio: string | null) => (ratio === null ? '—' : `${(Number(ratio) * 100).toFixed(1)}%`);
const unsigned = (value: string) => signedDollars(value).replace(/^[+\u2212]/, '');

beforeAll(async () => {
  // The demo follower who has closed both positions of their own and copied ones.
  for (let n = 1; n <= 4; n++) {
    const candidate = await signInDemo(journey, 'follower', n);
    const closed = async (source: string) =>
      ((await candidate.get(`/api/analytics/summary?source=${source}`)).statistics as Statistics)
        .closedPositions;
    if ((await closed('manual')) > 0 && (await closed('copied')) > 0) {
      follower = candidate;
      break;
    }
  }
  if (!follower) throw new Error('no demo follower closed both manual and copied positions');
  opened = await openPage(journey, follower);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

/** No serious or critical axe violation within one part of the page. */
async function expectAccessibleWithin(on: Page, selector: string, what: string): Promise<void> {
  const results = await new AxeBuilder({ page: on })
    .include(selector)
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3)}`,
    );
  expect(severe, `accessibility of ${what}`).toEqual([]);
}

function card(label: string): Locator {
  return page.getByRole('group', { name: label, exact: true });
}

async function expectFigures(source: string): Promise<void> {
  const { statistics: s } = (await follower.get(`/api/analytics/summary?source=${source}`)) as {
    statistics: Statistics;
  };
  const expectCard = async (label: string, text: string) =>
    expect(await card(label).textContent(), `${label} (${source})`).toContain(text);
  await card('Total P&L').getByText(signedDollars(s.totalPnl)).waitFor();
  await expectCard('Total P&L', `${s.closedPositions} closed`);
  await expectCard('Win rate', percent(s.winRate));
  await expectCard('Win rate', `${s.wins} won · ${s.losses} lost`);
  await expectCard('Max drawdown', unsigned(s.maxDrawdown));
  if (s.biggestWin) await expectCard('Biggest win', signedDollars(s.biggestWin));
  if (s.biggestLoss) await expectCard('Biggest loss', signedDollars(s.biggestLoss));
  if (s.expectancy) await expectCard('Expectancy', signedDollars(s.expectancy));
  if (s.profitFactor) await expectCard('Profit factor', Number(s.profitFactor).toFixed(2));
  await expectCard('Open positions', String(s.openPositions));

  const { periods } = (await follower.get(`/api/analytics/periods?source=${source}`)) as {
    periods: Period[];
  };
  const allTime = periods.find((p) => p.period === 'all');
  const row = page.locator('section[aria-labelledby="periods-heading"] tr').filter({ hasText: 'All time' });
  expect(await row.textContent()).toContain(signedDollars(allTime?.totalPnl ?? ''));

  // The curve is drawn, and its table ends where the API's curve ends.
  const { points } = (await follower.get(`/api/analytics/curve?source=${source}`)) as {
    points: { cumulativePnl: string }[];
  };
  const curve = page.locator('section[aria-labelledby="curve-heading"]');
  // (attached: a curve of one day is a dot)
  await curve.locator('.recharts-area').waitFor({ state: 'attached' });
  await curve.getByRole('button', { name: 'Show the figures' }).click();
  const rows = curve.locator('tbody tr');
  expect(await rows.count()).toBe(points.length);
  expect(await rows.last().textContent()).toContain(signedDollars(points.at(-1)?.cumulativePnl ?? ''));
  await curve.getByRole('button', { name: 'Hide the figures' }).click();

  // One bar per day with a close (a day that came out even has none to draw).
  const { entries } = (await follower.get(`/api/analytics/daily?source=${source}`)) as {
    entries: { pnl: string }[];
  };
  const daily = page.locator('section[aria-labelledby="daily-heading"]');
  await daily.locator('.recharts-bar-rectangle').first().waitFor();
  expect(await daily.locator('.recharts-bar-rectangle path').count()).toBe(
    entries.filter((e) => Number(e.pnl) !== 0).length,
  );

  const { cells } = (await follower.get(`/api/analytics/heatmap?source=${source}`)) as {
    cells: { closedPositions: number }[];
  };
  const heatmap = page.locator('section[aria-labelledby="heatmap-heading"]');
  expect(await heatmap.locator('td .pnl-heatmap-count').count()).toBe(cells.length);
}

describe('analytics with history', () => {
  it('shows the API’s figures and charts for all, manual and copied', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/analytics');
    await expectHeading(page, 'Analytics');
    await expectFigures('all');
    await expectAccessible(page, 'analytics');
    // The calendar: a month per table, each day with a close tinted and named.
    const daily = page.locator('section[aria-labelledby="daily-heading"]');
    await page.getByRole('radiogroup', { name: 'Show daily P&L as' }).getByText('Calendar').click();
    await daily.locator('table.pnl-calendar').first().waitFor();
    // The API's 90 days reach into four months (three at the least).
    expect(await daily.locator('table.pnl-calendar').count()).toBeGreaterThanOrEqual(3);
    await expectAccessibleWithin(page, 'section[aria-labelledby="daily-heading"]', 'the daily P&L calendar');
    await page.getByRole('radiogroup', { name: 'Show daily P&L as' }).getByText('Bars').click();
    await daily.locator('.recharts-bar-rectangle').first().waitFor();
    // The README's picture: the figures and the charts, without the sticky header mid-page.
    await page.setViewportSize({ width: 1280, height: 2000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'analytics', { fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });

    const switcher = page.getByRole('radiogroup', { name: 'Which positions' });
    for (const [label, source] of [
      ['Manual', 'manual'],
      ['Copied', 'copied'],
    ] as const) {
      await switcher.getByText(label, { exact: true }).click();
      await page.waitForURL(`**/analytics?source=${source}`);
      await expectFigures(source);
    }
  });

  it('filters, sorts and pages closed positions as the API does', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/analytics');
    const section = page.locator('section[aria-labelledby="positions-heading"]');
    const rows = section.locator('tbody tr');
    await rows.first().waitFor();

    const { positions: all, nextCursor } = (await follower.get('/api/analytics/positions?limit=25')) as {
      positions: ClosedPosition[];
      nextCursor: string | null;
    };
    expect(await rows.count()).toBe(all.length);
    if (nextCursor) {
      const { positions: second } = (await follower.get(
        `/api/analytics/positions?limit=25&cursor=${encodeURIComponent(nextCursor)}`,
      )) as { positions: ClosedPosition[] };
      await section.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(() => rows.count()).toBe(all.length + second.length);
    }

    await section.getByLabel('Sort').selectOption({ label: 'Biggest loss first' });
    const { positions: worst } = (await follower.get(
      '/api/analytics/positions?sort=pnl&order=asc&limit=25',
    )) as {
      positions: ClosedPosition[];
    };
    await rows
      .first()
      .getByText(signedDollars(worst[0]?.pnl ?? ''))
      .waitFor();

    await section.getByLabel('Result').selectOption({ label: 'Wins' });
    const { positions: wins } = (await follower.get(
      '/api/analytics/positions?sort=pnl&order=asc&result=win&limit=25',
    )) as { positions: ClosedPosition[] };
    await rows
      .first()
      .getByText(signedDollars(wins[0]?.pnl ?? ''))
      .waitFor();
    await expect.poll(() => rows.count()).toBe(wins.length);

    // An underlying picked in the per-underlying table narrows the list to it.
    const { underlyings } = (await follower.get('/api/analytics/underlyings')) as {
      underlyings: { underlying: string }[];
    };
    const ticker = underlyings[0]?.underlying ?? '';
    await page
      .locator('section[aria-labelledby="underlyings-heading"]')
      .getByRole('button', { name: ticker, exact: true })
      .click();
    await expect.poll(() => section.getByLabel('Underlying').inputValue()).toBe(ticker);
    const { positions: picked } = (await follower.get(
      `/api/analytics/positions?sort=pnl&order=asc&result=win&underlying=${ticker}&limit=25`,
    )) as { positions: ClosedPosition[] };
    await expect.poll(() => rows.count()).toBe(picked.length || 0);
    for (const text of await rows.allInnerTexts()) expect(text).toContain(ticker);
  });

  it.skipIf(!liveEventsAvailable)(
    'counts a close at once, without a reload',
    {
      timeout: JOURNEY_TIMEOUT_MS,
    },
    async () => {
      await page.goto('/analytics');
      const { statistics: before } = (await follower.get('/api/analytics/summary')) as {
        statistics: Statistics;
      };
      await card('Total P&L').getByText(`${before.closedPositions} closed`).waitFor();
      const today = new Date().toISOString().slice(0, 10);
      const { positions } = (await follower.get('/api/positions?status=open&limit=200')) as {
        positions: { id: string; expiration: string; openQuantity: number }[];
      };
      const open = positions.find((p) => p.expiration > today && p.openQuantity > 0);
      if (!open) throw new Error('the demo follower holds no open position to close');
      await follower.post('/api/orders', { side: 'STC', positionId: open.id, quantity: open.openQuantity });
      await card('Total P&L')
        .getByText(`${before.closedPositions + 1} closed`)
        .waitFor();
      await card('Open positions')
        .getByText(String(before.openPositions - 1), { exact: true })
        .waitFor();
    },
  );

  it('fits a phone', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    const phone = await openPage(journey, follower, PHONE);
    try {
      await phone.page.goto('/analytics?source=copied');
      await expectHeading(phone.page, 'Analytics');
      await phone.page
        .locator('section[aria-labelledby="curve-heading"] .recharts-area-curve')
        .waitFor({ state: 'attached' });
      await phone.page.locator('.pnl-heatmap').waitFor();
      await expectNoHorizontalScroll(phone.page);
      await expectAccessible(phone.page, 'analytics on a phone');
      await screenshot(phone.page, 'analytics-phone', { fullPage: false });
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('teaches a new user what to do next', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    const newcomer = await seedUser(journey, 'newcomer');
    const fresh = await openPage(journey, newcomer);
    try {
      await fresh.page.goto('/analytics');
      await fresh.page.getByText(/^No trading history yet\./).waitFor();
      await fresh.page.getByRole('link', { name: 'Find a trader to copy' }).waitFor();
      await expectAccessible(fresh.page, 'analytics, empty');
      await fresh.page.getByRole('link', { name: 'Place a paper trade' }).click();
      await expectHeading(fresh.page, 'Trade');
    } finally {
      await fresh.context.close();
    }
  });

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
