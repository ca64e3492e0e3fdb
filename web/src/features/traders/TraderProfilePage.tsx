import { Alert, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client';
import { AnchorLink, ButtonLink } from '../../components/links';
import { ErrorState, SkeletonRows } from '../../components/states';
import { quantity } from '../../lib/format';
import { meQuery } from '../auth/api';
import { copyKeys, subscribe, subscriptionsQuery } from '../copying/api';
import { DEFAULT_SETTINGS, SubscriptionSettingsForm } from '../copying/SubscriptionSettingsForm';
import { traderKeys, traderQuery } from './api';

function Subscribe({ traderId, name }: { traderId: string; name: string }) {
  const queryClient = useQueryClient();
  const me = useQuery(meQuery());
  const subscriptions = useQuery(subscriptionsQuery());
  const current = subscriptions.data?.find((s) => s.trader.id === traderId && s.status !== 'cancelled');
  if (me.data?.id === traderId) {
    return <Text>This is your public profile: share its address so others can copy you.</Text>;
  }
  if (subscriptions.isPending) return <SkeletonRows rows={2} label="Loading your subscriptions" />;
  if (current) {
    return (
      <Alert color="teal" variant="light" title={`You copy ${name}`}>
        <Text size="sm">
          {current.status === 'paused' ? 'Paused for now. ' : ''}
          <AnchorLink to="/copying">Manage it in Copying</AnchorLink>.
        </Text>
      </Alert>
    );
  }
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="subscribe-heading">
      <Title order={2} size="h3" id="subscribe-heading" mb="sm">
        Copy {name}
      </Title>
      <SubscriptionSettingsForm
        initial={DEFAULT_SETTINGS}
        submitLabel="Subscribe"
        pendingLabel="Subscribing…"
        onSubmit={async (settings) => {
          await subscribe({ traderId, settings });
          await Promise.all([
            queryClient.invalidateQueries({ queryKey: copyKeys.subscriptions }),
            queryClient.invalidateQueries({ queryKey: traderKeys.one(traderId) }),
          ]);
          notifications.show({ title: 'Subscribed', message: `You now copy ${name}.`, color: 'teal' });
        }}
      />
    </Paper>
  );
}

/** A trader's public profile and subscribing to them, each setting explained. */
export function TraderProfilePage({ traderId }: { traderId: string }) {
  const trader = useQuery(traderQuery(traderId));
  if (trader.isPending) return <SkeletonRows rows={4} label="Loading the trader" />;
  if (trader.isError) {
    if (trader.error instanceof ApiError && trader.error.status === 404) {
      return (
        <Stack>
          <Title order={1}>Trader not found</Title>
          <Text>No trader has this address. Check the link, or find traders from the Traders page.</Text>
          <ButtonLink to="/traders" w="fit-content">
            Back to Traders
          </ButtonLink>
        </Stack>
      );
    }
    return <ErrorState error={trader.error} what="the trader" onRetry={() => void trader.refetch()} />;
  }
  const profile = trader.data;
  const name = profile.name ?? (profile.username ? `@${profile.username}` : 'This trader');
  return (
    <Stack gap="lg" maw={720}>
      <Stack gap={4}>
        <Group gap="xs">
          <Title order={1}>{name}</Title>
          {profile.verified ? (
            <Badge color="blue.8" variant="filled">
              Verified
            </Badge>
          ) : null}
        </Group>
        {profile.username ? <Text c="dimmed">@{profile.username}</Text> : null}
        {profile.bio ? <Text>{profile.bio}</Text> : null}
        <Text size="sm">
          <strong className="num">{quantity(profile.followers)}</strong>{' '}
          {profile.followers === 1 ? 'follower' : 'followers'}
        </Text>
      </Stack>
      <Subscribe traderId={profile.id} name={name} />
    </Stack>
  );
}
