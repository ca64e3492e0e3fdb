/**
 * Email one notification to its user (PRODUCT.md §4, the email channel): plain text and HTML
 * with the same words, a link to the page about it, and an unsubscribe link for its type (also
 * in the List-Unsubscribe header, for one-click unsubscribe in mail clients). Sent only if the
 * user still wants it when the job runs and the address is confirmed.
 */
import { sql } from 'drizzle-orm';
import { notificationLink } from '../../domain/notification-links';
import { effectivePreferences } from '../../domain/notification-preferences';
import type { NotificationType } from '../../domain/vocabulary';
import type { Mailer } from '../../mail/mailer';
import type { ServiceContext } from '../context';
import { compose } from '../mail/messages';
import type { DeliveryDeps } from './deps';
import { unsubscribeUrl } from './unsubscribe';

export type EmailOutcome = 'sent' | 'gone' | 'unwanted';

type Row = {
  type: NotificationType;
  title: string;
  body: string;
  user_id: string;
  email: string;
  name: string | null;
  email_verified: boolean;
  preferences: unknown;
  decision_id: string | null;
};

export async function deliverEmail({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: { delivery: DeliveryDeps; mailer: Mailer };
  input: { notificationId: string };
}): Promise<EmailOutcome> {
  const { rows } = await ctx.db.execute<Row>(sql`
    SELECT n.type, n.title, n.body, u.id AS user_id, u.email, u.name, u.email_verified,
           u.notification_preferences AS preferences,
           (SELECT d.id FROM subscription_trades d
             WHERE n.type = 'copy_trade_alert'
               AND d.subscription_id = n.data->>'subscriptionId' AND d.source_trade_id = n.data->>'sourceTradeId') AS decision_id
      FROM notifications n JOIN users u ON u.id = n.user_id AND u.deleted_at IS NULL
     WHERE n.id = ${input.notificationId}`);
  const row = rows[0];
  if (!row) return 'gone';
  if (!row.email_verified || !effectivePreferences(row.preferences)[row.type].email) return 'unwanted';

  const { publicUrl } = deps.delivery;
  const unsubscribe = unsubscribeUrl(deps.delivery, { userId: row.user_id, type: row.type });
  const message = compose(
    { email: row.email, name: row.name },
    row.title,
    [row.body],
    {
      label: 'Open Alertsify',
      url: `${publicUrl}${notificationLink(row.type, { decisionId: row.decision_id })}`,
    },
    `You get this email because of your notification settings. Stop emails like this one: ${unsubscribe}`,
  );
  await deps.mailer.send({
    ...message,
    headers: {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  });
  return 'sent';
}
