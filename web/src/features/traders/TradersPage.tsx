import {
  Badge,
  Button,
  Group,
  List,
  NativeSelect,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { Pnl } from '../../components/figures';
import { AnchorLink, ButtonLink } from '../../components/links';
import { EmptyState, ErrorState, MoreButton, QueryView, SkeletonRows } from '../../components/states';
import { quantity, ratioPercent, relativeTime } from '../../lib/format';
import { subscriptionsQuery } from '../copying/api';
import { type LeaderboardPeriod, type LeaderboardQuery, type LeaderboardSort, leaderboardQuery } from './api';

/** A trader's id from what a person pastes: their profile link or the id itself. */
export function traderIdFrom(input: string): string | null {
  const text = input.trim();
  const fromLink = /\/traders\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(text)?.[1];
  if (fromLink) return fromLink;
  return /^[A-Za-z0-9_-]{6,}$/.test(text) ? text : null;
}

/** A trader's profile from the link they shared (a new trader reaches the list at its next refresh). */
function ProfileLinkForm() {
  const navigate = useNavigate();
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const traderId = traderIdFrom(link);
        if (!traderId) {
          setError('Paste a trader’s profile link (…/traders/…) or their id');
          return;
        }
        void navigate({ to: '/traders/$traderId', params: { traderId } });
      }}
    >
      <Stack gap="xs">
        <Group align="flex-start" gap="xs" wrap="nowrap">
          <TextInput
            label="Trader profile link or id"
            description="Traders share their link from Settings."
            value={link}
            onChange={(event) => {
              setLink(event.currentTarget.value);
              setError(null);
            }}
            error={error}
            errorProps={{ role: 'alert' }}
            style={{ flex: 1 }}
          />
        </Group>
        <Group>
          <Button type="submit">Open profile</Button>
        </Group>
      </Stack>
    </form>
  );
}

const PERIODS: { value: LeaderboardPeriod; label: string }[] = [
  { value: 'all', label: 'All time' },
  { value: '30d', label: '30 days' },
  { value: '7d', label: '7 days' },
  { value: '24h', label: '24 hours' },
];

const SORTS: { value: LeaderboardSort; label: string }[] = [
  { value: 'pnl', label: 'P&L over the period' },
  { value: 'winRate', label: 'Win rate' },
  { value: 'averagePnl', label: 'Average P&L per trade' },
  { value: 'closedPositions', label: 'Closed positions' },
  { value: 'followers', label: 'Followers' },
  { value: 'pnl24h', label: 'P&L, last 24 hours' },
  { value: 'pnl7d', label: 'P&L, last 7 days' },
  { value: 'pnl30d', label: 'P&L, last 30 days' },
];

/** How far a trader moved on the all-time board since yesterday, in arrows and words. */
function RankChange({ change }: { change: number | null }) {
  if (change === null) return null;
  if (change === 0) {
    return (
      <Text span size="xs" c="dimmed" ml={4}>
        <span aria-hidden="true">=</span>
        <VisuallyHidden>, unchanged since yesterday</VisuallyHidden>
      </Text>
    );
  }
  const up = change > 0;
  return (
    <Text span size="xs" fw={600} ml={4} className={up ? 'tone-gain' : 'tone-loss'}>
      <span aria-hidden="true">
        {up ? '▲' : '▼'}
        {Math.abs(change)}
      </span>
      <VisuallyHidden>
        , {up ? 'up' : 'down'} {Math.abs(change)} {Math.abs(change) === 1 ? 'place' : 'places'} since
        yesterday
      </VisuallyHidden>
    </Text>
  );
}

/** A column header that sorts the board by its figure: highest first, then lowest first. */
function SortHeader({
  sort,
  label,
  query,
  onSort,
  visibleFrom,
}: {
  sort: LeaderboardSort;
  label: string;
  query: LeaderboardQuery;
  onSort: (sort: LeaderboardSort, order: 'desc' | 'asc') => void;
  visibleFrom?: 'xs' | 'sm' | 'md';
}) {
  const active = query.sort === sort;
  return (
    <Table.Th
      className="num"
      visibleFrom={visibleFrom}
      aria-sort={active ? (query.order === 'desc' ? 'descending' : 'ascending') : undefined}
    >
      <UnstyledButton
        onClick={() => onSort(sort, active && query.order === 'desc' ? 'asc' : 'desc')}
        fw={700}
        fz="sm"
      >
        {label}
        <span aria-hidden="true">{active ? (query.order === 'desc' ? ' ↓' : ' ↑') : ''}</span>
      </UnstyledButton>
    </Table.Th>
  );
}

/**
 * The leaderboard: every active trader ranked by a figure over a period, searched by username,
 * a page at a time; on the all-time P&L board, how far each moved since yesterday.
 */
function Leaderboard({
  board,
  onBoard,
}: {
  board: LeaderboardSearch;
  onBoard: (next: LeaderboardSearch) => void;
}) {
  const { period = 'all', sort = 'pnl', order = 'desc' } = board;
  // The search stays in the page: written to the address as one types, it could overtake a
  // click on a trader made meanwhile.
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const setPeriod = (next: LeaderboardPeriod) =>
    onBoard({ ...board, period: next === 'all' ? undefined : next });
  const query: LeaderboardQuery = { period, sort, order, q };
  const pages = useInfiniteQuery(leaderboardQuery(query));
  const traders = pages.data?.pages.flatMap((page) => page.traders) ?? [];
  const asOf = pages.data?.pages[0]?.asOf ?? null;
  const periodLabel = PERIODS.find((p) => p.value === period)?.label.toLowerCase() ?? '';
  const onSort = (next: LeaderboardSort, nextOrder: 'desc' | 'asc') =>
    onBoard({
      ...board,
      sort: next === 'pnl' ? undefined : next,
      order: nextOrder === 'desc' ? undefined : nextOrder,
    });
  return (
    <Stack gap="sm">
      <Group align="flex-end" gap="sm">
        <SegmentedControl
          aria-label="Period"
          value={period}
          onChange={(value) => setPeriod(value as LeaderboardPeriod)}
          data={PERIODS}
        />
        <NativeSelect
          label="Rank by"
          value={sort}
          onChange={(event) => onSort(event.currentTarget.value as LeaderboardSort, 'desc')}
          data={SORTS}
        />
        <TextInput
          label="Search by username"
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          maw={240}
        />
      </Group>
      {pages.isPending ? (
        <SkeletonRows rows={6} label="Loading the leaderboard" />
      ) : pages.isError ? (
        <ErrorState error={pages.error} what="the leaderboard" onRetry={() => void pages.refetch()} />
      ) : traders.length === 0 ? (
        <EmptyState
          action={
            q ? null : (
              <ButtonLink to="/settings" variant="default">
                Become a trader
              </ButtonLink>
            )
          }
        >
          {q
            ? `No trader’s username matches “${q}”. Check the spelling, or paste their profile link below.`
            : 'No traders yet. Be the first: become a trader in Settings, and others can copy your trades.'}
        </EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={0} type="native" tabIndex={0}>
          <Table striped verticalSpacing="xs">
            <Table.Caption>
              {SORTS.find((s) => s.value === sort)?.label}, {order === 'desc' ? 'highest' : 'lowest'} first;
              figures over {period === 'all' ? 'all time' : `the last ${periodLabel}`}
              {asOf ? `, as of ${relativeTime(asOf)}` : ''}.
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th className="num">Rank</Table.Th>
                <Table.Th>Trader</Table.Th>
                <SortHeader sort="pnl" label="P&L" query={query} onSort={onSort} />
                <SortHeader sort="winRate" label="Win rate" query={query} onSort={onSort} visibleFrom="xs" />
                <SortHeader
                  sort="averagePnl"
                  label="Avg P&L"
                  query={query}
                  onSort={onSort}
                  visibleFrom="sm"
                />
                <SortHeader
                  sort="closedPositions"
                  label="Trades"
                  query={query}
                  onSort={onSort}
                  visibleFrom="sm"
                />
                <SortHeader
                  sort="followers"
                  label="Followers"
                  query={query}
                  onSort={onSort}
                  visibleFrom="sm"
                />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {traders.map((trader) => (
                <Table.Tr key={trader.id}>
                  <Table.Td className="num">
                    {trader.rank}
                    <RankChange change={trader.rankChange} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <AnchorLink to="/traders/$traderId" params={{ traderId: trader.id }} fw={600}>
                        {trader.name ?? trader.username ?? 'A trader'}
                      </AnchorLink>
                      {trader.verified ? (
                        <Badge size="xs" color="blue.8" variant="filled">
                          Verified
                        </Badge>
                      ) : null}
                    </Group>
                    {trader.username ? (
                      <Text size="xs" c="dimmed">
                        @{trader.username}
                      </Text>
                    ) : null}
                    {/* A phone has no room for the other columns: the main ones under the name. */}
                    <Text size="xs" c="dimmed" hiddenFrom="xs">
                      {ratioPercent(trader.winRate)} won · {quantity(trader.closedPositions)} trades ·{' '}
                      {quantity(trader.followers)} followers
                    </Text>
                  </Table.Td>
                  <Table.Td className="num">
                    <Pnl value={trader.pnl} />
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="xs">
                    {ratioPercent(trader.winRate)}
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    <Pnl value={trader.averagePnl} />
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    {quantity(trader.closedPositions)}
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    {quantity(trader.followers)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <MoreButton
        hasMore={pages.hasNextPage}
        loading={pages.isFetchingNextPage}
        onMore={() => void pages.fetchNextPage()}
      />
    </Stack>
  );
}

/** The leaderboard's view in the address (`/traders?period=7d&sort=winRate`); defaults left out. */
export type LeaderboardSearch = {
  period?: Exclude<LeaderboardPeriod, 'all'>;
  sort?: Exclude<LeaderboardSort, 'pnl'>;
  order?: 'asc';
};

export const LEADERBOARD_PERIODS = PERIODS.map((p) => p.value);
export const LEADERBOARD_SORTS = SORTS.map((s) => s.value);

/** Traders: find one, and the ones already followed. */
export function TradersPage({
  board,
  onBoard,
}: {
  board: LeaderboardSearch;
  onBoard: (next: LeaderboardSearch) => void;
}) {
  const subscriptions = useQuery(subscriptionsQuery());
  return (
    <Stack gap="lg">
      <Title order={1}>Traders</Title>
      <Stack gap="sm" component="section" aria-labelledby="leaderboard-heading">
        <Title order={2} size="h3" id="leaderboard-heading">
          Leaderboard
        </Title>
        <Leaderboard board={board} onBoard={onBoard} />
        <ProfileLinkForm />
      </Stack>
      <Stack gap="sm" component="section" aria-labelledby="following-heading">
        <Title order={2} size="h3" id="following-heading">
          Traders you follow
        </Title>
        <QueryView
          query={subscriptions}
          what="the traders you follow"
          isEmpty={(list) => list.filter((s) => s.status !== 'cancelled').length === 0}
          empty={<EmptyState>You follow no one yet. Open a trader’s profile to subscribe.</EmptyState>}
        >
          {(list) => (
            <List spacing="xs">
              {list
                .filter((subscription) => subscription.status !== 'cancelled')
                .map((subscription) => (
                  <List.Item key={subscription.id}>
                    <AnchorLink to="/traders/$traderId" params={{ traderId: subscription.trader.id }}>
                      {subscription.trader.name ?? subscription.trader.username ?? 'A trader'}
                    </AnchorLink>
                    <Text span size="sm" c="dimmed">
                      {' '}
                      · {subscription.status}
                    </Text>
                  </List.Item>
                ))}
            </List>
          )}
        </QueryView>
      </Stack>
    </Stack>
  );
}
