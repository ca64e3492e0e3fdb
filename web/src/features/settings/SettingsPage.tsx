import { Alert, Button, Code, CopyButton, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { messageOf } from '../../api/client';
import { SkeletonRows } from '../../components/states';
import { localTime } from '../../lib/format';
import { meKey, meQuery } from '../auth/api';
import { HealthStatus } from '../shell/HealthStatus';
import { becomeTrader } from '../traders/api';

function TraderSection() {
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
  if (!me.data) return null;
  if (!me.data.isTrader) {
    return (
      <Stack gap="xs" align="flex-start">
        <Text>
          Become a trader and others can subscribe to copy your trades into their accounts. An administrator
          may then verify you (the badge).
        </Text>
        <Button onClick={() => become.mutate()} loading={become.isPending}>
          Become a trader
        </Button>
      </Stack>
    );
  }
  const link = `${window.location.origin}/traders/${me.data.id}`;
  return (
    <Stack gap="xs">
      <Text>
        You are a trader
        {me.data.traderVerifiedAt
          ? `, verified ${localTime(me.data.traderVerifiedAt)}`
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
    </Stack>
  );
}

/** Settings: the profile, becoming a trader, the API's health. Notifications and security come with part 2. */
export function SettingsPage() {
  const me = useQuery(meQuery());
  return (
    <Stack gap="lg" maw={720}>
      <Title order={1}>Settings</Title>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="profile-heading">
        <Title order={2} size="h3" id="profile-heading" mb="xs">
          Profile
        </Title>
        {me.isPending ? (
          <SkeletonRows rows={2} label="Loading your profile" />
        ) : me.data ? (
          <Stack gap={2}>
            <Text>{me.data.name}</Text>
            <Text c="dimmed">{me.data.email}</Text>
            {me.data.username ? <Text c="dimmed">@{me.data.username}</Text> : null}
          </Stack>
        ) : (
          <Alert color="red" role="alert">
            {messageOf(me.error)}
          </Alert>
        )}
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="trader-heading">
        <Title order={2} size="h3" id="trader-heading" mb="xs">
          Trading for others
        </Title>
        <TraderSection />
      </Paper>
      <HealthStatus />
    </Stack>
  );
}
