import { queryOptions } from '@tanstack/react-query';
import { call, client } from '../../api/client';
import type { paths } from '../../api/schema';

export const updateMe = (body: {
  name?: string;
  username?: string | null;
  bio?: string | null;
  avatarUrl?: string | null;
}) => call(client.PATCH('/api/me', { body }));

export const sendVerificationEmail = () => call(client.POST('/api/auth/send-verification-email'));

export const discordWebhookKey = ['me', 'discord-webhook'] as const;

export const discordWebhookQuery = () =>
  queryOptions({ queryKey: discordWebhookKey, queryFn: () => call(client.GET('/api/me/discord-webhook')) });

export const setDiscordWebhook = (url: string) =>
  call(client.PUT('/api/me/discord-webhook', { body: { url } }));

export const removeDiscordWebhook = () => call(client.DELETE('/api/me/discord-webhook'));

export const testDiscordWebhook = () => call(client.POST('/api/me/discord-webhook/test'));

export const signOutEverywhere = () => call(client.POST('/api/auth/revoke-sessions'));

export const deleteMyAccount = (password: string) =>
  call(client.POST('/api/me/delete', { body: { password } }));

/** The CSV downloads (a link, not a fetch: the browser saves the file). */
export const EXPORTS = {
  orders: '/api/exports/orders.csv',
  positions: '/api/exports/positions.csv',
} as const satisfies Record<string, keyof paths>;
