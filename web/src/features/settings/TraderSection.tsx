import { Button, Code, CopyButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { messageOf } from '../../api/client';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import { ButtonLink } from '../../components/links';
import { SkeletonRows } from '../../components/states';
import { localTime } from '../../lib/format';
import { meKey, meQuery, type Profile } from '../auth/api';
import { becomeTrader } from '../traders/api';
import {
  discordWebhookKey,
  discordWebhookQuery,
  removeDiscordWebhook,
  setDiscordWebhook,
  testDiscordWebhook,
} from './api';

function DiscordWebhook() {
  const queryClient = useQueryClient();
  const webhook = useQuery(discordWebhookQuery());
  const form = useForm({ initialValues: { url: '' } });
  const { pending, formError, submit } = useApiSubmit(form);
  const save = submit(async ({ url }) => {
    queryClient.setQueryData(discordWebhookKey, await setDiscordWebhook(url.trim()));
    form.reset();
    notifications.show({
      title: 'Discord webhook saved',
      message: 'Your fills will be posted there.',
      color: 'teal',
    });
  });
  const test = useMutation({
    mutationFn: testDiscordWebhook,
    onSuccess: () =>
      notifications.show({ title: 'Test posted', message: 'Look in your Discord channel.', color: 'teal' }),
    onError: (error) => {
      void queryClient.invalidateQueries({ queryKey: discordWebhookKey });
      notifications.show({ title: 'Test not posted', message: messageOf(error), color: 'red' });
    },
  });
  const remove = useMutation({
    mutationFn: removeDiscordWebhook,
    onSuccess: (answer) => queryClient.setQueryData(discordWebhookKey, answer),
    onError: (error) => notifications.show({ title: 'Not removed', message: messageOf(error), color: 'red' }),
  });
  if (webhook.isPending) return <SkeletonRows rows={1} label="Loading your Discord webhook" />;
  const url = webhook.data?.url ?? null;
  return (
    <Stack gap="xs">
      <Text fw={600}>Discord</Text>
      {url ? (
        <>
          <Text size="sm">
            Your buys and sells are posted to this webhook (contract, quantity, entry, exit and P&amp;L):
          </Text>
          <Code style={{ overflowWrap: 'anywhere' }}>{url.replace(/\/[^/]+$/, '/…')}</Code>
          <Group gap="xs">
            <Button size="sm" variant="default" onClick={() => test.mutate()} loading={test.isPending}>
              Send a test post
            </Button>
            <Button size="sm" variant="default" onClick={() => remove.mutate()} loading={remove.isPending}>
              Stop posting to Discord
            </Button>
          </Group>
        </>
      ) : (
        <form onSubmit={save} aria-busy={pending}>
          <Stack gap="xs">
            <TextInput
              label="Discord webhook URL"
              description="In Discord: Server Settings → Integrations → Webhooks → New Webhook → Copy Webhook URL."
              placeholder="https://discord.com/api/webhooks/…"
              {...announcedError}
              {...form.getInputProps('url')}
            />
            <FormAlert error={formError} />
            <Group>
              <Button type="submit" loading={pending}>
                Post my fills to Discord
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}

/** Becoming a trader (a confirmed email first), the profile link to share, and Discord. */
export function TraderSection({ profile }: { profile: Profile }) {
  const queryClient = useQueryClient();
  const me = useQuery(meQuery());
  const become = useMutation({
    mutationFn: becomeTrader,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: meKey });
      notifications.show({
        title: 'You are a trader',
        message: 'Others can now subscribe to your trades.',
        color: 'teal',
      });
    },
    onError: (error) => notifications.show({ title: 'Not done', message: messageOf(error), color: 'red' }),
  });
  const current = me.data ?? profile;
  if (!current.isTrader) {
    return (
      <Stack gap="xs" align="flex-start">
        <Text>
          Become a trader and others can subscribe to copy your trades into their accounts. An administrator
          may then verify you (the badge).
        </Text>
        {current.emailVerified ? null : (
          <Text size="sm" c="dimmed">
            Followers trust a trader with real money, so a trader must be reachable: confirm your email
            address first (see Email above).
          </Text>
        )}
        <Button onClick={() => become.mutate()} loading={become.isPending} disabled={!current.emailVerified}>
          Become a trader
        </Button>
      </Stack>
    );
  }
  const link = `${window.location.origin}/traders/${current.id}`;
  return (
    <Stack gap="md">
      <Stack gap="xs">
        <Text>
          You are a trader
          {current.traderVerifiedAt
            ? `, verified ${localTime(current.traderVerifiedAt)}`
            : ' (not verified yet)'}
          . Share your profile link so others can copy you:
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Code style={{ overflowWrap: 'anywhere' }} data-testid="profile-link">
            {link}
          </Code>
          <CopyButton value={link}>
            {({ copied, copy }) => (
              <Button size="compact-md" variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy link'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Group>
          <ButtonLink to="/copying" search={{ tab: 'followers' }} variant="light" size="sm">
            Open my trader’s desk
          </ButtonLink>
        </Group>
      </Stack>
      <DiscordWebhook />
    </Stack>
  );
}
