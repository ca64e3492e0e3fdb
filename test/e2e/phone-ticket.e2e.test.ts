/**
 * The trade ticket on a phone (390 px wide): nothing scrolls sideways, every control is at
 * least 44 px tall, picking a strike brings the ticket into view, and an order goes through.
 */
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiUser,
  expectAccessible,
  expectHeading,
  expectNoHorizontalScroll,
  JOURNEY_TIMEOUT_MS,
  type OpenedPage,
  openPage,
  PHONE,
  SETUP_TIMEOUT_MS,
  screenshot,
  seedUser,
  useJourney,
} from './support';

const journey = useJourney();
let bea: ApiUser;
let opened: OpenedPage;
let page: Page;

beforeAll(async () => {
  bea = await seedUser(journey, 'bea', { paper: true });
  opened = await openPage(journey, bea, PHONE);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

const MIN_TAP_PX = 44;

async function expectTappable(target: Locator, what: string): Promise<void> {
  const box = await target.boundingBox();
  expect(box, what).not.toBeNull();
  expect(box?.height ?? 0, `${what} height`).toBeGreaterThanOrEqual(MIN_TAP_PX);
}

describe('the ticket on a phone', () => {
  it('fits 390 px, has thumb-sized controls and places an order', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/trade');
    await expectHeading(page, 'Trade');
    const bar = page.getByRole('navigation', { name: 'Sections' });
    // WEB.md: the bottom bar holds the first four sections, then More.
    for (const label of ['Trade', 'Copying', 'Traders', 'Analytics']) {
      await expectTappable(
        bar.getByRole('link', { name: label, exact: true }),
        `the ${label} tab of the bottom bar`,
      );
    }
    // Five tabs in 390 px: every label shows whole, none cut off.
    const clipped = await bar
      .locator('a, button')
      .evaluateAll((tabs) =>
        tabs.filter((tab) => tab.scrollWidth > tab.clientWidth + 1).map((tab) => tab.textContent),
      );
    expect(clipped).toEqual([]);
    const atTheMoney = page.getByRole('row').filter({ hasText: 'At the money' }).getByRole('button');
    await expectTappable(atTheMoney, 'a strike on the chain');
    await expectNoHorizontalScroll(page);

    await atTheMoney.click();
    const ticket = page.locator('section[aria-labelledby="ticket-heading"]');
    const heading = ticket.getByRole('heading', { name: /^Buy AAPL .* call$/ });
    await heading.waitFor();
    // The ticket came into view with its heading focused: a screen reader starts there.
    await expect.poll(() => heading.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await ticket.isVisible()).toBe(true);
    const buy = ticket.getByRole('button', { name: 'Buy to open' });
    await expectTappable(ticket.getByLabel('Contracts'), 'the quantity');
    await expectTappable(ticket.locator('label').filter({ hasText: /^Limit$/ }), 'an order type');
    await expectTappable(buy, 'the buy button');
    await ticket.getByLabel('Contracts').fill('2');
    await ticket.getByText(/^2 × .* estimated cost$/).waitFor();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'trade on a phone');
    // What the phone shows: the ticket just brought into view.
    await screenshot(page, 'trade-phone', { fullPage: false });

    await buy.click();
    const position = page.locator('section[aria-labelledby="positions-heading"] tbody tr').first();
    await position.getByRole('cell', { name: '2', exact: true }).waitFor();
    await expectNoHorizontalScroll(page);

    // The rest of the navigation is one tap away.
    await bar.getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'History' }).click();
    await expectHeading(page, 'History');
    await expectNoHorizontalScroll(page);
  });

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
