/**
 * The account's life in the browser: a new user's empty states that teach; confirming the email
 * through the link in the (development outbox) mail, and a used link refused with a new one on
 * request; profile, becoming a trader, Discord with a test post; the trader's desk; the CSV
 * export; forgot and reset password through the mailed link; signing out everywhere; deleting
 * the account. Every new page passes an accessibility check.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiUser,
  expectAccessible,
  expectHeading,
  firstChain,
  JOURNEY_TIMEOUT_MS,
  linkInOutbox,
  type OpenedPage,
  openPage,
  SETUP_TIMEOUT_MS,
  screenshot,
  seedUser,
  useJourney,
} from './support';

/** Stands where Discord would: records the paths posted to. */
const discordPosts: string[] = [];
const discord = http.createServer((request, response) => {
  discordPosts.push(request.url ?? '');
  request.resume();
  request.on('end', () => {
    response.writeHead(204);
    response.end();
  });
});
await new Promise<void>((resolve) => discord.listen(0, '127.0.0.1', resolve));

const journey = useJourney({
  env: { TEST_DISCORD_API_URL: `http://127.0.0.1:${(discord.address() as AddressInfo).port}` },
});
const pages: OpenedPage[] = [];

async function open(user: ApiUser | null): Promise<Page> {
  const opened = await openPage(journey, user);
  pages.push(opened);
  return opened.page;
}

afterAll(async () => {
  await new Promise<void>((resolve) => discord.close(() => resolve()));
});

describe('a new user', () => {
  let newt: ApiUser;
  let page: Page;

  beforeAll(async () => {
    newt = await seedUser(journey, 'newt');
    page = await open(newt);
  }, SETUP_TIMEOUT_MS);

  it('sees what to do next instead of an empty list', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await page.goto('/notifications');
    await expectHeading(page, 'Notifications');
    await page.getByText('No notifications yet.').waitFor();
    await page.getByRole('link', { name: 'Open a paper account' }).waitFor();
    await page.getByRole('link', { name: 'Find a trader to copy' }).waitFor();
    await expectAccessible(page, 'notifications of a new user');
  });

  it('confirms the email through the mailed link; a used link is refused and a new one sent', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/settings');
    await page.getByText('Confirm your email address', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Become a trader' }).isDisabled()).toBe(true);

    const link = await linkInOutbox(journey, newt.email, '/verify-email');
    await page.goto(link);
    await expectHeading(page, 'Email confirmed');
    await page.getByText(`your email address ${newt.email} is confirmed`).waitFor();
    await expectAccessible(page, 'email confirmed');
    expect((await newt.get('/api/me')).emailVerified).toBe(true);

    // Used again, from a browser signed out.
    const elsewhere = await open(null);
    await elsewhere.goto(link);
    await expectHeading(elsewhere, 'This link did not work');
    await elsewhere.getByText('Sign in and ask for a new link in Settings.').waitFor();
    await expectAccessible(elsewhere, 'a used confirmation link');

    // A link that is not ours, opened by someone signed in and not confirmed: a new one on request.
    const vera = await seedUser(journey, 'vera');
    const hers = await open(vera);
    await hers.goto('/api/auth/verify-email?token=not-a-real-token&callbackURL=/verify-email');
    await expectHeading(hers, 'This link did not work');
    await hers.getByRole('button', { name: 'Email me a new link' }).click();
    await hers.getByText(`A new link is on its way to ${vera.email}.`).waitFor();
  });

  it('edits the profile, becomes a trader and posts a test to Discord', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/settings');
    await expectHeading(page, 'Settings');
    const profile = page.getByRole('region', { name: 'Profile' });
    await profile.getByLabel('Username').fill('no spaces');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('Must be 3 to 30 letters, digits or underscores').waitFor();
    await profile.getByLabel('Username').fill('newt_trades');
    await profile.getByLabel('Bio').fill('Weekly calls on index ETFs.');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('alert').filter({ hasText: 'Profile saved' }).waitFor();
    expect(await newt.get('/api/me')).toMatchObject({
      username: 'newt_trades',
      bio: 'Weekly calls on index ETFs.',
    });

    await page.getByRole('button', { name: 'Become a trader' }).click();
    const trader = page.getByRole('region', { name: 'Trading for others' });
    await trader.getByText('You are a trader').waitFor();
    await trader.getByLabel('Discord webhook URL').fill('https://example.com/hook');
    await trader.getByRole('button', { name: 'Post my fills to Discord' }).click();
    await trader.getByText('must be a Discord webhook URL', { exact: false }).waitFor();
    const token = 'kT9x-Qe2_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
    await trader
      .getByLabel('Discord webhook URL')
      .fill(`https://discord.com/api/webhooks/123456789012345678/${token}`);
    await trader.getByRole('button', { name: 'Post my fills to Discord' }).click();
    await trader.getByRole('button', { name: 'Send a test post' }).click();
    await page.getByRole('alert').filter({ hasText: 'Test posted' }).waitFor();
    expect(discordPosts).toEqual([`/api/webhooks/123456789012345678/${token}`]);
    await expectAccessible(page, 'settings of a new trader');
    await screenshot(page, 'settings-trader');
  });

  it('signs out everywhere: this browser and every other session', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/settings#security');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
    await expectAccessible(page, 'the sign-out-everywhere dialog');
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expectHeading(page, 'Sign in', 1);
    await newt.call('GET', '/api/me', undefined, 401);
  });
});

describe("the trader's desk and the export", () => {
  it('shows per follower what was copied and skipped and why; the orders download as CSV', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    const [tara, finn, gail] = await Promise.all([
      seedUser(journey, 'tara', { trader: true, paper: true }),
      seedUser(journey, 'finn'),
      seedUser(journey, 'gail', { paper: true }),
    ]);
    for (const follower of [finn, gail]) {
      await follower.post('/api/subscriptions', { traderId: tara.id, settings: { autoExecute: true } });
    }
    const { expiration, strikes } = await firstChain(tara, 'AAPL');
    const strike = strikes[6]?.strike ?? '';
    const order = await tara.post('/api/orders', {
      side: 'BTO',
      underlying: 'AAPL',
      optionType: 'call',
      strike,
      expiration,
      quantity: 2,
    });

    const page = await open(tara);
    await page.goto('/copying?tab=followers');
    await expectHeading(page, 'Copying');
    const finnCard = page.getByRole('article', { name: `Follower ${finn.name}` });
    await finnCard.getByText('0 copied · 1 not copied').waitFor();
    await finnCard.getByText('They have no brokerage account selected for copying.').first().waitFor();
    const gailCard = page.getByRole('article', { name: `Follower ${gail.name}` });
    await gailCard.getByText('1 copied · 0 not copied').waitFor();
    await expectAccessible(page, "the trader's desk");
    await screenshot(page, 'traders-desk');

    await page.goto('/settings#data');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download my orders (CSV)' }).click(),
    ]);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8');
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    expect(header?.split(',').slice(0, 3)).toEqual(['date', 'occ_symbol', 'underlying']);
    expect(rows.some((row) => row.includes(String(order.symbol)))).toBe(true);
  });
});

describe('forgot password, reset, and deleting the account', () => {
  it('resets the password through the mailed link and signs in with the new one', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    const rita = await seedUser(journey, 'rita');
    const page = await open(null);
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await expectHeading(page, 'Reset your password');
    await expectAccessible(page, 'forgot password');
    await page.getByLabel('Email').fill(rita.email);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await page.getByText('a link to choose a new password is on its way').waitFor();

    const link = await linkInOutbox(journey, rita.email, 'reset-password');
    await page.goto(link);
    await expectHeading(page, 'Choose a new password');
    await expectAccessible(page, 'reset password');
    const newPassword = 'a brand new passphrase';
    await page.getByLabel('New password').first().fill(newPassword);
    await page.getByLabel('New password again').fill('something else');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByText('The two passwords differ').waitFor();
    await page.getByLabel('New password again').fill(newPassword);
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await expectHeading(page, 'Password changed');
    await rita.call('GET', '/api/me', undefined, 401);

    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('Email').fill(rita.email);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('deletes the account after the password, explaining what happens', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    const dora = await seedUser(journey, 'dora', { paper: true });
    const page = await open(dora);
    await page.goto('/settings#data');
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
    await dialog.getByText('your subscriptions end', { exact: false }).waitFor();
    await expectAccessible(page, 'the delete-account dialog');
    await dialog.getByLabel('Your password').fill('not my password');
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    await dialog.getByText('That is not your password').waitFor();
    await dialog.getByLabel('Your password').fill(dora.password);
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    await expectHeading(page, 'Sign in');
    const again = new ApiUser(journey.baseUrl, 'again');
    await again.call('POST', '/api/auth/sign-in/email', { email: dora.email, password: dora.password }, 401);
  });
});

describe('the pages', () => {
  it('threw no uncaught error', () => {
    expect(pages.flatMap((opened) => opened.errors)).toEqual([]);
  });
});
