/**
 * Orders that do not fill at once, and orders the API refuses: a working Limit order is
 * cancelled from the orders table; a refusal (not enough buying power, a malformed price) is
 * shown beside the field it concerns, in the API's words.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiUser,
  expectAccessible,
  expectHeading,
  firstChain,
  JOURNEY_TIMEOUT_MS,
  type OpenedPage,
  openPage,
  SETUP_TIMEOUT_MS,
  screenshot,
  seedUser,
  tradeUrl,
  useJourney,
} from './support';

const journey = useJourney();
let ada: ApiUser;
let opened: OpenedPage;
let page: Page;

beforeAll(async () => {
  ada = await seedUser(journey, 'ada', { paper: true });
  opened = await openPage(journey, ada);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

const ticket = () => page.locator('section[aria-labelledby="ticket-heading"]');
const orders = () => page.locator('section[aria-labelledby="orders-heading"]');

describe('working orders and refusals', () => {
  it('places a Limit order below the market, sees it working, and cancels it', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    const { expiration, strikes } = await firstChain(ada, 'MSFT');
    const strike = strikes[10]?.strike ?? '';
    await page.goto(tradeUrl({ underlying: 'MSFT', expiration, strike }));
    await ticket()
      .getByRole('heading', { name: /^Buy MSFT .* call$/ })
      .waitFor();

    await ticket().getByText('Limit', { exact: true }).click();
    await ticket().getByLabel('Limit price per share').fill('0.01');
    await ticket().getByText('1 × 0.01 × 100 = $1.00 estimated cost').waitFor();
    await ticket().getByRole('button', { name: 'Buy to open' }).click();

    const row = orders().getByRole('row').filter({ hasText: 'Buy to open 1 · MSFT' });
    await row.getByText('Working', { exact: true }).waitFor();
    await row.getByText('Limit 0.01').waitFor();
    await expectAccessible(page, 'trade with a working order');
    await screenshot(page, 'trade-working-order');

    await row.getByRole('button', { name: /^Cancel the BTO order/ }).click();
    await row.getByText('Cancelled', { exact: true }).waitFor();
    expect(await row.getByRole('button', { name: /^Cancel/ }).count()).toBe(0);
    const listed = (await ada.get('/api/orders')) as { orders: { status: string; orderType: string }[] };
    expect(listed.orders[0]).toMatchObject({ status: 'cancelled', orderType: 'Limit' });
  });

  it('shows a refusal for want of buying power beside the quantity, in the API’s words', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    const { expiration, strikes } = await firstChain(ada, 'AAPL');
    // The deepest in-the-money call is the dearest: 1,000 of them cost far more than $100,000.
    const strike = strikes[0]?.strike ?? '';
    await page.goto(tradeUrl({ underlying: 'AAPL', expiration, strike }));
    await ticket()
      .getByRole('heading', { name: /^Buy AAPL .* call$/ })
      .waitFor();
    const contracts = ticket().getByLabel('Contracts');
    await contracts.fill('1000');
    await ticket()
      .getByText(/\(not enough\)/)
      .waitFor();
    await ticket().getByRole('button', { name: 'Buy to open' }).click();

    const refusal = ticket().getByRole('alert').filter({ hasText: 'Insufficient buying power' });
    await refusal.waitFor();
    expect(await contracts.getAttribute('aria-invalid')).toBe('true');
    // The message is the field's own description: a screen reader reads it with the field.
    const describedBy = (await contracts.getAttribute('aria-describedby')) ?? '';
    const errorId = (await refusal.getAttribute('id')) ?? 'none';
    expect(describedBy.split(' ')).toContain(errorId);
    await expectAccessible(page, 'the ticket with a refusal');
    await screenshot(page, 'ticket-refused');

    // A malformed price comes back from the API's validation, beside the price.
    await contracts.fill('1');
    await ticket().getByText('Limit', { exact: true }).click();
    await ticket().getByLabel('Limit price per share').fill('1.2.3');
    await ticket().getByRole('button', { name: 'Buy to open' }).click();
    await ticket()
      .getByRole('alert')
      .filter({ hasText: /^Must be a positive number/ })
      .waitFor();
    expect(await ticket().getByLabel('Limit price per share').getAttribute('aria-invalid')).toBe('true');
    expect(await contracts.getAttribute('aria-invalid')).toBeNull();
    await expectHeading(page, 'Trade');
  });

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
