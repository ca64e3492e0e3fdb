/**
 * `npm run admin -- verify-trader|make-trader <email>` and `audit trade|subscription <id>` run as
 * a child process against this file's database, as an operator would run it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../src/services/audit/read-audit-log';
import { makeTrader } from '../../src/services/subscriptions/make-trader';
import { pauseSubscription } from '../../src/services/subscriptions/pause-subscription';
import { subscribe } from '../../src/services/subscriptions/subscribe';
import { verifyTrader } from '../../src/services/subscriptions/verify-trader';
import { silentLogger } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createPosition, createTrade, createUser } from '../helpers/factories';
import { freePort } from '../helpers/ports';

const t = useTestDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'alertsify-admin-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

type Run = { code: number | null; stdout: string; stderr: string };

/** Run the admin CLI as `npm run admin` does (compiled), with `env` on top of a test environment. */
function admin(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const environment: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: t.url,
    ...env,
  };
  for (const [name, value] of Object.entries(environment)) if (value === undefined) delete environment[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/alertsify.mjs', 'admin', ...args],
      { env: environment, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function verifiedAt(userId: string): Promise<Date | null> {
  const { rows } = await t.sql<{ trader_verified_at: Date | null }>(
    'SELECT trader_verified_at FROM users WHERE id = $1',
    [userId],
  );
  return rows[0]?.trader_verified_at ?? null;
}

describe('admin verify-trader', () => {
  it('sets trader_verified_at of a trader, and keeps it when run again', async () => {
    const trader = await createUser(t.db, { isTrader: true });
    const first = await admin(['verify-trader', trader.email]);
    expect(first.stderr).toBe('');
    expect(first, JSON.stringify(first)).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`Verified trader ${trader.email} (user ${trader.id})`);
    const when = await verifiedAt(trader.id);
    expect(when).toBeInstanceOf(Date);

    const again = await admin(['verify-trader', trader.email.toUpperCase()]);
    expect(again, JSON.stringify(again)).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('was already a verified trader');
    expect(await verifiedAt(trader.id)).toEqual(when);
  });

  it('fails clearly for an unknown email, a user who is not a trader and a deleted user', async () => {
    const unknown = await admin(['verify-trader', 'nobody@example.test']);
    expect(unknown, JSON.stringify(unknown)).toMatchObject({ code: 1 });
    expect(unknown.stderr.trim()).toBe('admin: No user with the email nobody@example.test');
    expect(unknown.stdout).toBe('');

    const plain = await createUser(t.db);
    const notTrader = await admin(['verify-trader', plain.email]);
    expect(notTrader, JSON.stringify(notTrader)).toMatchObject({ code: 1 });
    expect(notTrader.stderr).toContain(`${plain.email} is not a trader`);
    expect(await verifiedAt(plain.id)).toBeNull();

    const deleted = await createUser(t.db, { isTrader: true, deletedAt: new Date() });
    const gone = await admin(['verify-trader', deleted.email]);
    expect(gone, JSON.stringify(gone)).toMatchObject({ code: 1 });
    expect(gone.stderr).toContain('has been deleted');
    expect(await verifiedAt(deleted.id)).toBeNull();
  });

  it('make-trader then verify-trader', async () => {
    const user = await createUser(t.db);
    const made = await admin(['make-trader', user.email]);
    expect(made, JSON.stringify(made)).toMatchObject({ code: 0 });
    expect(made.stdout).toContain('is now a trader');
    const verified = await admin(['verify-trader', user.email]);
    expect(verified, JSON.stringify(verified)).toMatchObject({ code: 0 });
    const { rows } = await t.sql(
      'SELECT is_trader, trader_verified_at IS NOT NULL AS verified FROM users WHERE id = $1',
      [user.id],
    );
    expect(rows).toEqual([{ is_trader: true, verified: true }]);
  });

  it('answers wrong usage with the usage and status 2', async () => {
    for (const args of [[], ['verify-trader'], ['promote', 'a@b.c'], ['verify-trader', 'a@b.c', 'extra']]) {
      const run = await admin(args);
      expect(run, JSON.stringify(run)).toMatchObject({ code: 2 });
      expect(run.stderr + run.stdout).toContain('Usage: npm run admin -- <command> <email>');
    }
  });

  it('says how to fix it when the embedded database of npm start is not running', async () => {
    const port = await freePort();
    const run = await admin(['verify-trader', 'a@b.c'], {
      DATABASE_URL: undefined,
      EMBEDDED_PG_PORT: String(port),
    });
    expect(run, JSON.stringify(run)).toMatchObject({ code: 1 });
    expect(run.stderr).toContain('cannot reach the embedded database');
    expect(run.stderr).toContain('npm start');
    expect(run.stderr).not.toContain('alertsify-embedded');
  });
});

describe('admin services', () => {
  it('refuse a signed-in user: only the system (the CLI) may verify or make traders', async () => {
    const user = await createUser(t.db, { isTrader: true });
    const ctx = {
      db: t.db,
      actor: { type: 'user', userId: user.id } as const,
      now: () => new Date(),
      log: silentLogger(),
    };
    await expect(verifyTrader({ ctx, input: { email: user.email } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(makeTrader({ ctx, input: { email: user.email } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await verifiedAt(user.id)).toBeNull();
  });
});

describe('admin audit', () => {
  it('prints who changed a subscription, when, and what', async () => {
    const trader = await createUser(t.db, { isTrader: true });
    const subscriber = await createUser(t.db);
    const ctx = {
      db: t.db,
      actor: { type: 'user', userId: subscriber.id } as const,
      now: () => new Date(),
      log: silentLogger(),
    };
    const { subscription } = await subscribe({ ctx, input: { traderId: trader.id } });
    await pauseSubscription({ ctx, input: { subscriptionId: subscription.id } });

    const run = await admin(['audit', 'subscription', subscription.id]);
    expect(run, JSON.stringify(run)).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Audit log of subscription ${subscription.id}: 2 changes`);
    expect(lines.filter((line) => /^\d{4}-\d\d-\d\dT/.test(line))).toEqual([
      expect.stringMatching(new RegExp(`Z {2}INSERT {2}by ${subscriber.id}$`)),
      expect.stringMatching(new RegExp(`Z {2}UPDATE {2}by ${subscriber.id}$`)),
    ]);
    expect(lines).toContain(`    trader_id = "${trader.id}"`);
    expect(lines).toContain('    status: "active" → "paused"');
    expect(run.stdout).not.toContain('updated_at:');
  });

  it('prints the changes of a trade, with the system actor of a job', async () => {
    const user = await createUser(t.db);
    const account = await createAccount(t.db, user.id);
    const position = await createPosition(t.db, user.id);
    const trade = await createTrade(t.db, position, account.id, { action: 'buy', quantity: 2 });
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT set_config('app.actor_id', 'system:sync-account-orders', true)`);
      await tx.execute(
        sql`UPDATE trades SET status = 'cancelled', status_reason = 'Expired' WHERE id = ${trade.id}`,
      );
    });
    const run = await admin(['audit', 'trade', trade.id]);
    expect(run, JSON.stringify(run)).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`Audit log of trade ${trade.id}: 2 changes`);
    expect(run.stdout).toContain('INSERT  by unknown (no actor recorded)');
    expect(run.stdout).toContain('UPDATE  by system:sync-account-orders');
    expect(run.stdout).toContain('    status: "pending" → "cancelled"');
    expect(run.stdout).toContain('    status_reason: ∅ → "Expired"');
  });

  it('fails clearly for an id with no audit record, and answers wrong usage with status 2', async () => {
    const missing = await admin(['audit', 'trade', 'no-such-trade']);
    expect(missing, JSON.stringify(missing)).toMatchObject({ code: 1 });
    expect(missing.stderr.trim()).toBe('admin: No audit record of trade no-such-trade');
    for (const args of [
      ['audit'],
      ['audit', 'order', 'x'],
      ['audit', 'trade'],
      ['audit', 'trade', 'a', 'b'],
    ]) {
      const run = await admin(args);
      expect(run, JSON.stringify(run)).toMatchObject({ code: 2 });
      expect(run.stderr).toContain('audit trade|subscription <id>');
    }
  });

  it('is for administrators: a signed-in user cannot read it', async () => {
    const user = await createUser(t.db);
    const ctx = {
      db: t.db,
      actor: { type: 'user', userId: user.id } as const,
      now: () => new Date(),
      log: silentLogger(),
    };
    await expect(readAuditLog({ ctx, input: { kind: 'trade', id: 'x' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
