/**
 * The approval window is a setting (`copy.approvalWindowMs`); what subscribers read about it
 * (the notification of a waiting copy, the refusal of a lapsed one) follows the setting.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildTradingDeps } from '../../src/runtime';
import { describeApprovalWindow } from '../../src/services/copy/approval-window';
import { approveCopy } from '../../src/services/copy/decide-approval';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { copyWorld, subscriber, trader, traderBuys } from './support';

const t = useTestDatabase();

describe('approval window', () => {
  it('is told in words', () => {
    expect(describeApprovalWindow(15 * 60_000)).toBe('15 minutes');
    expect(describeApprovalWindow(60_000)).toBe('1 minute');
    expect(describeApprovalWindow(2 * 3_600_000)).toBe('2 hours');
    expect(describeApprovalWindow(90_000)).toBe('90 seconds');
    expect(describeApprovalWindow(1_500)).toBe('1.5 seconds');
  });

  it('the waiting copy’s notification and a late approval’s refusal state the configured window', async () => {
    const base = copyWorld(t);
    const trading = buildTradingDeps({
      db: t.db,
      config: testConfig(),
      now: base.clock.now,
      quotes: base.quotes,
      copy: { approvalWindowMs: 10 * 60_000 },
    });
    const w = { ...base, trading };
    const boss = await trader(w);
    const follower = await subscriber(w, boss, { autoExecute: false });
    const { trade, result } = await traderBuys(w, boss, 1);
    expect(result.pendingApproval).toBe(1);

    const { rows } = await t.db.execute<{ body: string; decision_id: string }>(sql`
      SELECT n.body, d.id AS decision_id
        FROM notifications n JOIN subscription_trades d ON d.subscriber_id = n.user_id
       WHERE n.user_id = ${follower.userId} AND n.type = 'copy_trade_alert' AND d.source_trade_id = ${trade.id}`);
    expect(rows[0]?.body).toMatch(/: approve within 10 minutes to copy 1 contract\(s\)$/);

    w.clock.advance(10 * 60_000 + 1);
    await expect(
      approveCopy({
        ctx: w.as(follower.userId),
        deps: trading,
        input: { decisionId: rows[0]?.decision_id ?? '' },
      }),
    ).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: 'This copy lapsed: approvals last 10 minutes',
    });
  });
});
