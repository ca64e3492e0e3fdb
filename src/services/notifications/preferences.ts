import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  DISCORD_TYPES,
  effectivePreferences,
  mergePreferenceChanges,
  type NotificationPreferences,
  type PreferenceChanges,
} from '../../domain/notification-preferences';
import { NOTIFICATION_TYPES, type NotificationType } from '../../domain/vocabulary';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';

/**
 * An object that refuses keys it does not know at the key's own path, so the 400 names it
 * (`order_filled.sms`), where a strict object would only name the object.
 */
function closedObject<Shape extends z.ZodRawShape>(shape: Shape, unknownKey: string) {
  return z.looseObject(shape).superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) ctx.addIssue({ code: 'custom', path: [key], message: unknownKey });
    }
  });
}

/** One type's channels, as a user may set them: in-app cannot be turned off, Discord only for fills. */
function channelsSchema(type: NotificationType) {
  const onOff = z.boolean('must be true or false').optional();
  return closedObject(
    {
      in_app: z.literal(true, 'in-app notifications are always on').optional(),
      push: onOff,
      email: onOff,
      ...(DISCORD_TYPES.has(type) ? { discord: onOff } : {}),
    },
    DISCORD_TYPES.has(type)
      ? 'is not a channel: in_app, push, email or discord'
      : 'is not a channel of this type: in_app, push or email (Discord carries fills only)',
  );
}

/**
 * A change of preferences: any types, any of their channels, e.g.
 * `{ "order_filled": { "push": false }, "copy_trade_skipped": { "push": true } }`. An unknown type
 * or channel is refused (400 naming it), never ignored.
 */
export const preferenceChangesSchema = closedObject(
  Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, channelsSchema(type).optional()])) as Record<
    NotificationType,
    z.ZodOptional<ReturnType<typeof channelsSchema>>
  >,
  'is not a notification type',
);

/** Every type with its channels: in-app (always on), push, email, and Discord for the types it carries. */
export type PreferencesView = Record<
  NotificationType,
  { in_app: true; push: boolean; email: boolean; discord?: boolean }
>;

function toView(preferences: NotificationPreferences): PreferencesView {
  return Object.fromEntries(
    NOTIFICATION_TYPES.map((type) => {
      const { push, email, discord } = preferences[type];
      return [
        type,
        DISCORD_TYPES.has(type) ? { in_app: true, push, email, discord } : { in_app: true, push, email },
      ];
    }),
  ) as PreferencesView;
}

async function storedPreferences(ctx: ServiceContext, userId: string, lock: boolean): Promise<unknown> {
  const { rows } = await ctx.db.execute<{ preferences: unknown }>(sql`
    SELECT notification_preferences AS preferences FROM users
     WHERE id = ${userId} AND deleted_at IS NULL ${lock ? sql`FOR NO KEY UPDATE` : sql``}`);
  const row = rows[0];
  if (!row) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  return row.preferences;
}

/** The signed-in user's notification preferences: the defaults (PRODUCT.md §4) with their changes. */
export async function getNotificationPreferences({ ctx }: { ctx: ServiceContext }): Promise<PreferencesView> {
  const userId = requireUser(ctx);
  return toView(effectivePreferences(await storedPreferences(ctx, userId, false)));
}

/**
 * Change some channels of some types; the rest keep their setting. Only what differs from the
 * defaults is stored, so a later change of a default reaches users who never touched it.
 */
export async function updateNotificationPreferences({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: unknown;
}): Promise<PreferencesView> {
  const userId = requireUser(ctx);
  const changes = parseInput(preferenceChangesSchema, input ?? {}) as PreferenceChanges;
  return inTransaction(ctx, async (tx) => {
    const txCtx = { ...ctx, db: tx };
    const merged = mergePreferenceChanges(await storedPreferences(txCtx, userId, true), changes);
    await tx.execute(sql`
      UPDATE users SET notification_preferences = ${JSON.stringify(merged)}::jsonb WHERE id = ${userId}`);
    return toView(effectivePreferences(merged));
  });
}
