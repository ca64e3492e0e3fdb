/**
 * A new trader's first trades in the browser: sign up, open a paper account, pick a contract
 * from the option chain, buy to open, sell part, sell the rest, and see the realised P&L to
 * the cent. Every page on the way passes the accessibility check.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { newCredentials } from '../helpers/app';
import {
  expectAccessible,
  expectHeading,
  goTo,
  JOURNEY_TIMEOUT_MS,
  type OpenedPage,
  openPage,
  SETUP_TIMEOUT_MS,
  screenshot,
  signedDollars,
  useJourney,
} from './support';

const journey = useJourney();
let opened: OpenedPage;
let page: Page;

beforeAll(async () => {
  opened = await openPage(journey, null);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

type Order = { side: string; filledQuantity: number; filledPrice: string | null; status: string };
type ClosedPosition = { id: string; realizedPnl: string; averageEntryPrice: string; orders: Order[] };

/** Whole ten-thousandths, so the expected P&L is worked out exactly, as the database does. */
const units = (decimal: string) => {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4));
};

async function positionRow(): Promise<ReturnType<Page['locator']>> {
  return page.locator('section[aria-labelledby="positions-heading"] tbody tr').first();
}

describe('trading from the browser, start to finish', () => {
  it('signs up, opens a paper account, buys from the chain, sells in two steps and shows the P&L', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/');
    await expectHeading(page, 'Sign in');
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');

    const person = newCredentials('trader');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await expectHeading(page, 'Create your account');
    await expectAccessible(page, 'sign-up');
    await page.getByLabel('Name').fill(person.name);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectHeading(page, `Welcome, ${person.name}`);
    await page.getByText('No open positions yet.').waitFor();
    await expectAccessible(page, 'home without an account');

    // Accounts: none yet, then a paper account that becomes the selected one.
    await goTo(page, 'Accounts');
    await expectHeading(page, 'Accounts');
    await page.getByText('No accounts yet.').waitFor();
    await page.getByRole('button', { name: 'Open a paper account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Open a paper account' });
    await dialog.waitFor();
    await expectAccessible(page, 'the paper account dialog');
    await dialog.getByRole('button', { name: 'Open the account' }).click();
    const card = page.getByRole('article', { name: 'Paper trading' });
    await card.getByText('Selected', { exact: true }).waitFor();
    await card.getByText('$100,000.00').first().waitFor();
    await expectAccessible(page, 'accounts');
    await screenshot(page, 'accounts');

    // Trade: the chain for AAPL, the at-the-money call into the ticket.
    await goTo(page, 'Trade');
    await expectHeading(page, 'Trade');
    const atTheMoney = page.getByRole('row').filter({ hasText: 'At the money' });
    await atTheMoney.getByRole('button').click();
    const ticket = page.locator('section[aria-labelledby="ticket-heading"]');
    await ticket.getByRole('heading', { name: /^Buy AAPL .* call$/ }).waitFor();
    const symbol = (await ticket.locator('code').textContent()) ?? '';
    expect(symbol).toMatch(/^AAPL {2}\d{6}C\d{8}$/);
    expect(page.url()).toContain('strike=');

    const ask =
      /Ask (\d+\.\d+)/.exec((await ticket.getByText(/^Bid .* Ask /).textContent()) ?? '')?.[1] ?? '';
    await ticket.getByLabel('Contracts').fill('4');
    const cost = (units(ask) * 4n * 100n) / 100n; // cents
    const costText = `$${(Number(cost) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
    await ticket.getByText(`4 × ${ask} × 100 = ${costText} estimated cost`).waitFor();
    await ticket.getByText(/Buying power \$100,000\.00 → \$[\d,]+\.\d\d after/).waitFor();
    await expectAccessible(page, 'trade with the ticket filled');
    await ticket.getByRole('button', { name: 'Buy to open' }).click();

    const row = await positionRow();
    await row.getByRole('cell', { name: '4', exact: true }).waitFor();
    await screenshot(page, 'trade');

    // The dialog keeps focus inside, and Escape closes it, handing focus back.
    await row.getByRole('button', { name: /^Close / }).click();
    let close = page.getByRole('dialog', { name: /^Close AAPL/ });
    await close.getByText('4 of 4 available to close.').waitFor();
    for (let step = 0; step < 12; step++) await page.keyboard.press('Tab');
    expect(await close.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await close.waitFor({ state: 'hidden' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Close');

    // Sell 1 of 4, then the rest.
    await row.getByRole('button', { name: /^Close / }).click();
    close = page.getByRole('dialog', { name: /^Close AAPL/ });
    await close.getByText('4 of 4 available to close.').waitFor();
    await expectAccessible(page, 'the close dialog');
    await close.getByLabel('Contracts to sell').fill('1');
    await close.getByRole('button', { name: 'Sell to close' }).click();
    await close.waitFor({ state: 'hidden' });
    await row.getByRole('cell', { name: '3', exact: true }).waitFor();
    // Focus went back to the button that opened the dialog.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Close');

    await row.getByRole('button', { name: /^Close / }).click();
    close = page.getByRole('dialog', { name: /^Close AAPL/ });
    await close.getByText('3 of 3 available to close.').waitFor();
    await close.getByRole('button', { name: 'All' }).click();
    await close.getByRole('button', { name: 'Sell to close' }).click();
    await page.getByText('No open positions yet.').waitFor();

    // The realised P&L, worked out here from the fills, to the cent.
    const closed = (await (await page.request.get('/api/positions?status=closed')).json()) as {
      positions: { id: string }[];
    };
    const positionId = closed.positions[0]?.id ?? '';
    const position = (await (
      await page.request.get(`/api/positions/${positionId}`)
    ).json()) as ClosedPosition;
    const buy = position.orders.find((order) => order.side === 'BTO');
    const entry = units(buy?.filledPrice ?? '0');
    const sells = position.orders.filter((order) => order.side === 'STC');
    expect(sells.map((order) => order.filledQuantity).sort()).toEqual([1, 3]);
    const pnlUnits = sells.reduce(
      (sum, order) => sum + (units(order.filledPrice ?? '0') - entry) * BigInt(order.filledQuantity) * 100n,
      0n,
    );
    const expected = (Number(pnlUnits) / 10_000).toFixed(2);
    expect(Number(position.realizedPnl).toFixed(2)).toBe(expected);

    await goTo(page, 'History');
    await expectHeading(page, 'History');
    const historyRow = page.getByRole('row').filter({ hasText: /AAPL .* call/ });
    await historyRow.getByText(signedDollars(expected), { exact: false }).waitFor();
    await expectAccessible(page, 'history');
    await screenshot(page, 'history');

    await page.getByText('Orders', { exact: true }).click();
    await page.getByText('Every order, newest first').waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Sell to close' }).count()).toBe(2);
    await expectAccessible(page, 'order history');

    await page.getByRole('link', { name: 'Home' }).first().click();
    await expectHeading(page, `Welcome, ${person.name}`);
    await expectAccessible(page, 'home');
    await screenshot(page, 'home');
  });

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
