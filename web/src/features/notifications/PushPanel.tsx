import { Alert, Button, Group, List, Stack, Text } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { messageOf } from '../../api/client';
import { SkeletonRows } from '../../components/states';
import { relativeTime } from '../../lib/format';
import {
  fetchVapidKey,
  notificationKeys,
  type PushRegistration,
  pushRegistrationsQuery,
  registerPush,
  testPush,
  unregisterPush,
} from './api';

const WORKER_URL = '/sw.js';
const thisBrowserKey = ['push-subscriptions', 'this-browser'] as const;

const supported = () =>
  typeof window !== 'undefined' &&
  'serviceWorker' in navigator &&
  'PushManager' in window &&
  'Notification' in window;

/** The push service's key as the bytes `pushManager.subscribe` wants (it is URL-safe base64). */
function keyBytes(base64Url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64Url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64Url.length / 4) * 4, '=');
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** This browser's push subscription, if it has one. */
async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration('/');
  return (await registration?.pushManager.getSubscription()) ?? null;
}

async function turnOn(): Promise<void> {
  // The browser asks the person only now, after their click.
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new Error(
      permission === 'denied'
        ? 'Notifications are blocked for this site. Allow them in the browser’s site settings, then try again.'
        : 'Push stays off: the browser’s question was dismissed.',
    );
  }
  const registration = await navigator.serviceWorker.register(WORKER_URL, { scope: '/' });
  await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  const subscription =
    existing ??
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(await fetchVapidKey()),
    }));
  await registerPush(subscription.toJSON());
}

function errorText(error: unknown): string {
  return error instanceof Error && !('status' in error) ? error.message : messageOf(error);
}

/** Push in this browser: turn on (permission asked only on the click), test, turn off; other browsers listed. */
export function PushPanel() {
  const queryClient = useQueryClient();
  const registrations = useQuery(pushRegistrationsQuery());
  const here = useQuery({
    queryKey: thisBrowserKey,
    queryFn: async () => (supported() ? ((await currentSubscription())?.endpoint ?? null) : null),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: notificationKeys.push });
  const mine: PushRegistration | undefined = registrations.data?.find((r) => r.endpoint === here.data);
  const others = registrations.data?.filter((r) => r !== mine) ?? [];

  const on = useMutation({ mutationFn: turnOn, onSettled: refresh });
  const test = useMutation({
    mutationFn: (id: string) => testPush(id),
    onSuccess: () =>
      toasts.show({
        title: 'Test push sent',
        message: 'It should appear on this device in a moment.',
        color: 'teal',
      }),
    onError: (error) => {
      void refresh();
      toasts.show({ title: 'Test push not sent', message: messageOf(error), color: 'red' });
    },
  });
  const off = useMutation({
    mutationFn: async (registration: PushRegistration) => {
      await unregisterPush(registration.id);
      if (registration === mine) await (await currentSubscription())?.unsubscribe();
    },
    onSettled: refresh,
    onError: (error) => toasts.show({ title: 'Not removed', message: messageOf(error), color: 'red' }),
  });

  if (!supported()) {
    return (
      <Text>This browser cannot receive pushes. Notifications still appear in the app and by email.</Text>
    );
  }
  if (registrations.isPending || here.isPending)
    return <SkeletonRows rows={1} label="Loading push settings" />;
  return (
    <Stack gap="sm" align="flex-start">
      {mine ? (
        <>
          <Text>
            Push is on in this browser: the alerts you chose arrive here even when Alertsify is closed.
          </Text>
          <Group gap="xs">
            <Button variant="default" onClick={() => test.mutate(mine.id)} loading={test.isPending}>
              Send a test push
            </Button>
            <Button variant="default" onClick={() => off.mutate(mine)} loading={off.isPending}>
              Turn off push in this browser
            </Button>
          </Group>
        </>
      ) : (
        <>
          <Text>
            Get your alerts on this device even when Alertsify is closed. Your browser will ask for permission
            after you click.
          </Text>
          <Button onClick={() => on.mutate()} loading={on.isPending}>
            Turn on push in this browser
          </Button>
        </>
      )}
      {on.isError ? (
        <Alert color="red" variant="light" role="alert">
          {errorText(on.error)}
        </Alert>
      ) : null}
      {others.length > 0 ? (
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Other browsers receiving your pushes
          </Text>
          <List size="sm" spacing={4}>
            {others.map((registration) => (
              <List.Item key={registration.id}>
                <Group gap="xs">
                  <Text size="sm" span>
                    {registration.userAgent ?? 'A browser'} · since {relativeTime(registration.createdAt)}
                  </Text>
                  <Button size="compact-xs" variant="subtle" onClick={() => off.mutate(registration)}>
                    Remove
                  </Button>
                </Group>
              </List.Item>
            ))}
          </List>
        </Stack>
      ) : null}
    </Stack>
  );
}
