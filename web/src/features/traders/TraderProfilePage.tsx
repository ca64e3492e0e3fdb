import { Alert, Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client';
import { Pnl } from '../../components/figures';
import { AnchorLink, ButtonLink } from '../../components/links';
import { EmptyState, ErrorState, SkeletonRows } from '../../components/states';
import { price, quantity, ratioPercent, relativeTime, signedPercentage } from '../../lib/format';
import { AccountPicker } from '../accounts/AccountPicker';
import { ClosedPositionsTable } from '../analytics/ClosedPositionsTable';
import { CurveChart } from '../analytics/charts';
import { StatCard, StatCards } from '../analytics/StatCards';
import { meQuery } from '../auth/api';
import { copyKeys, subscribe, subscriptionsQuery } from '../copying/api';
import { DEFAULT_SETTINGS, SubscriptionSettingsForm } from '../copying/SubscriptionSettingsForm';
import { type TraderProfileWithStatistics, traderKeys, traderQuery } from './api';

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
      <Stack gap="md">
        <AccountPicker label="Copy into" purpose="copies" />
        <SubscriptionSettingsForm
          initial={DEFAULT_SETTINGS}
          submitLabel="Subscribe"
          pendingLabel="Subscribing…"
          onSubmit={async (settings) => {
            const subscribed = await subscribe({ traderId, settings });
            await Promise.all([
              queryClient.invalidateQueries({ queryKey: copyKeys.subscriptions }),
              queryClient.invalidateQueries({ queryKey: traderKeys.one(traderId) }),
            ]);
            notifications.show({ title: 'Subscribed', message: `You now copy ${name}.`, color: 'teal' });
            // Told before any copy is skipped (PRODUCT.md §1a): the account cannot take copies.
            if (subscribed.accountWarning) {
              notifications.show({
                title: 'Copies cannot be placed yet',
                message: subscribed.accountWarning,
                color: 'orange',
                autoClose: false,
              });
            }
          }}
        />
      </Stack>
    </Paper>
  );
}

/** `2.4 s`, `1 min 5 s`: how long copies took to fill after the trader's fill. */
export function delay(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** `+0.02`: a price difference per share, with its sign. */
function signedPrice(value: string | null): string {
  if (value === null) return '—';
  const number = Number(value);
  return `${number > 0 ? '+' : number < 0 ? '\u2212' : ''}${price(Math.abs(number))}`;
}

/** What following this trader actually gave their followers (PRODUCT.md §5). */
function FollowerResults({ profile }: { profile: TraderProfileWithStatistics }) {
  const r = profile.followerResults;
  const heading = (
    <Title order={2} size="h3" id="followers-heading">
      What followers got
    </Title>
  );
  if (r.copyFills === 0 && r.closedPositions === 0) {
    return (
      <Stack gap="sm" component="section" aria-labelledby="followers-heading">
        {heading}
        <EmptyState>
          No follower has copied a trade of this trader yet. Their results show here once copies fill: the
          followers’ P&amp;L, how many trades were copied, how fast and at what price.
        </EmptyState>
      </Stack>
    );
  }
  const skippedEtc = [
    r.skipped ? `${quantity(r.skipped)} skipped` : null,
    r.failed ? `${quantity(r.failed)} refused by the broker` : null,
    r.lapsed ? `${quantity(r.lapsed)} not approved in time` : null,
    r.dismissed ? `${quantity(r.dismissed)} dismissed` : null,
  ].filter(Boolean);
  return (
    <Stack gap="sm" component="section" aria-labelledby="followers-heading">
      {heading}
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <StatCard
          label="Followers’ realised P&L"
          value={<Pnl value={r.totalPnl} />}
          note={`${quantity(r.closedPositions)} closed copies, ${quantity(r.followersWithResults)} ${r.followersWithResults === 1 ? 'follower' : 'followers'}${r.roi === null ? '' : `, ROI ${signedPercentage(Number(r.roi) * 100)}`}`}
        />
        <StatCard
          label="Trades copied"
          value={ratioPercent(r.copiedShare)}
          note={`${quantity(r.copiedOpenings)} of ${quantity(r.openings)} buys copied`}
        />
        <StatCard
          label="Median copy delay"
          value={delay(r.medianCopyDelaySeconds)}
          note={`trader’s fill → copy’s fill, ${quantity(r.copyFills)} fills`}
        />
        <StatCard
          label="Average slippage"
          value={signedPrice(r.averageSlippage)}
          note={`per share: buys ${signedPrice(r.averageBuySlippage)}, sells ${signedPrice(r.averageSellSlippage)}`}
        />
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {skippedEtc.length > 0 ? `Not copied: ${skippedEtc.join(', ')}. ` : ''}
        {profile.followerResultsAsOf ? `As of ${relativeTime(profile.followerResultsAsOf)}.` : ''}
      </Text>
    </Stack>
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
    <Stack gap="lg" maw={1100}>
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
      <Stack gap="sm" component="section" aria-labelledby="statistics-heading">
        <Title order={2} size="h3" id="statistics-heading">
          Their own trading
        </Title>
        {profile.statistics.closedPositions === 0 && profile.statistics.openPositions === 0 ? (
          <EmptyState>No trades yet: figures appear once this trader closes a position.</EmptyState>
        ) : (
          <StatCards statistics={profile.statistics} />
        )}
      </Stack>
      <FollowerResults profile={profile} />
      <Subscribe traderId={profile.id} name={name} />
      {profile.curve.length > 0 ? (
        <Stack gap="sm" component="section" aria-labelledby="trader-curve-heading">
          <Title order={2} size="h3" id="trader-curve-heading">
            Cumulative P&amp;L
          </Title>
          <Paper withBorder p="sm" radius="md">
            <CurveChart points={profile.curve} label={`${name}’s cumulative realised P&L`} />
          </Paper>
        </Stack>
      ) : null}
      {profile.recentPositions.length > 0 ? (
        <Stack gap="sm" component="section" aria-labelledby="recent-heading">
          <Title order={2} size="h3" id="recent-heading">
            Recent closed positions
          </Title>
          <ClosedPositionsTable
            positions={profile.recentPositions}
            caption="Their latest closes, newest first"
            showSource={false}
          />
        </Stack>
      ) : null}
    </Stack>
  );
}
