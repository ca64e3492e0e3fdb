/**
 * Which channels a notification goes to (PRODUCT.md §4), per type and channel: the defaults, what
 * a user may change, and the routing of one notification given what the user stored in
 * `users.notification_preferences` (only their changes: `{ "order_filled": { "push": false } }`).
 */
import { NOTIFICATION_TYPES, type NotificationChannel, type NotificationType } from './vocabulary';

/** Pushed unless the user says otherwise: fills, approvals wanted, failures, broken connections. */
const PUSHED_BY_DEFAULT: ReadonlySet<NotificationType> = new Set([
  'order_filled',
  'copy_trade_alert',
  'copy_trade_failed',
  'connection_broken',
]);

/** Emailed unless the user says otherwise: what needs them even away from the app. */
const EMAILED_BY_DEFAULT: ReadonlySet<NotificationType> = new Set(['copy_trade_alert', 'connection_broken']);

/** Discord carries a trader's own fills and nothing else. */
export const DISCORD_TYPES: ReadonlySet<NotificationType> = new Set(['order_filled']);

/**
 * The channels a user may set for a type. In-app is always on (the list is the record of what
 * happened), so it is not among them; Discord only for the types it carries.
 */
export function settableChannels(type: NotificationType): readonly NotificationChannel[] {
  return DISCORD_TYPES.has(type) ? ['push', 'email', 'discord'] : ['push', 'email'];
}

export type ChannelSwitches = Record<NotificationChannel, boolean>;
export type NotificationPreferences = Record<NotificationType, ChannelSwitches>;
/** What a user stores: a change of some channels of some types. */
export type PreferenceChanges = Partial<
  Record<NotificationType, Partial<Record<NotificationChannel, boolean>>>
>;

function defaultSwitches(type: NotificationType): ChannelSwitches {
  return {
    in_app: true,
    push: PUSHED_BY_DEFAULT.has(type),
    email: EMAILED_BY_DEFAULT.has(type),
    discord: DISCORD_TYPES.has(type),
  };
}

export const DEFAULT_PREFERENCES: NotificationPreferences = Object.fromEntries(
  NOTIFICATION_TYPES.map((type) => [type, defaultSwitches(type)]),
) as NotificationPreferences;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The stored changes over the defaults. Stored JSON is read leniently (anyone with psql may have
 * written it): only booleans for settable channels of known types count, the rest is ignored.
 */
export function effectivePreferences(stored: unknown): NotificationPreferences {
  const changes = isRecord(stored) ? stored : {};
  const result = {} as NotificationPreferences;
  for (const type of NOTIFICATION_TYPES) {
    const switches = defaultSwitches(type);
    const change = changes[type];
    if (isRecord(change)) {
      for (const channel of settableChannels(type)) {
        const value = change[channel];
        if (typeof value === 'boolean') switches[channel] = value;
      }
    }
    result[type] = switches;
  }
  return result;
}

/** Stored changes merged with new ones (the new win), keeping only what differs from the defaults. */
export function mergePreferenceChanges(stored: unknown, changes: PreferenceChanges): PreferenceChanges {
  const current = effectivePreferences(stored);
  const merged: PreferenceChanges = {};
  for (const type of NOTIFICATION_TYPES) {
    const switches = { ...current[type], ...changes[type] };
    const defaults = defaultSwitches(type);
    const differing = settableChannels(type).filter((channel) => switches[channel] !== defaults[channel]);
    if (differing.length > 0) {
      merged[type] = Object.fromEntries(differing.map((channel) => [channel, switches[channel]]));
    }
  }
  return merged;
}

/** Where one notification of `type` goes, beyond the in-app row that is always written. */
export function routeNotification(
  preferences: NotificationPreferences,
  type: NotificationType,
): { push: boolean; email: boolean; discord: boolean } {
  const switches = preferences[type];
  return { push: switches.push, email: switches.email, discord: DISCORD_TYPES.has(type) && switches.discord };
}
