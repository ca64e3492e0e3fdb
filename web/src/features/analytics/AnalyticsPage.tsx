import {
  Anchor,
  Group,
  NativeSelect,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type ReactNode, useRef, useState } from 'react';
import { Pnl } from '../../components/figures';
import { ButtonLink } from '../../components/links';
import { EmptyState, ErrorState, MoreButton, QueryView, SkeletonRows } from '../../components/states';
import { quantity, ratioPercent, signedPercentage } from '../../lib/format';
import {
  type AnalyticsSource,
  type ClosedPositionFilters,
  closedPositionsQuery,
  curveQuery,
  dailyQuery,
  heatmapQuery,
  periodsQuery,
  summaryQuery,
  underlyingsQuery,
} from './api';
import { ClosedPositionsTable } from './ClosedPositionsTable';
import { CurveChart, DailyBars, DailyCalendar, Heatmap } from './charts';
import { StatCards } from './StatCards';

const SOURCES: { value: AnalyticsSource; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'manual', label: 'Manual' },
  { value: 'copied', label: 'Copied' },
];

const SOURCE_WORDS: Record<AnalyticsSource, string> = {
  all: 'every position',
  manual: 'positions you opened yourself',
  copied: 'positions opened by copying a trader',
};

const PERIOD_LABELS: Record<string, string> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  ytd: 'Year to date',
  all: 'All time',
};

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Stack gap="sm" component="section" aria-labelledby={id}>
      <Title order={2} size="h3" id={id}>
        {title}
      </Title>
      {children}
    </Stack>
  );
}

function percentOf(ratio: string | null): string {
  return ratio === null ? '—' : signedPercentage(Number(ratio) * 100);
}

function Periods({ source }: { source: AnalyticsSource }) {
  const periods = useQuery(periodsQuery(source));
  return (
    <QueryView query={periods} what="your periods">
      {(data) => (
        <Table.ScrollContainer minWidth={0} type="native" tabIndex={0}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Period</Table.Th>
                <Table.Th className="num">P&amp;L</Table.Th>
                <Table.Th className="num">Closed</Table.Th>
                <Table.Th className="num">Win rate</Table.Th>
                <Table.Th className="num" visibleFrom="xs">
                  ROI
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.periods.map((period) => (
                <Table.Tr key={period.period}>
                  <Table.Th scope="row" fw={500}>
                    {PERIOD_LABELS[period.period] ?? period.period}
                  </Table.Th>
                  <Table.Td className="num">
                    <Pnl value={period.totalPnl} />
                  </Table.Td>
                  <Table.Td className="num">{quantity(period.closedPositions)}</Table.Td>
                  <Table.Td className="num">{ratioPercent(period.winRate)}</Table.Td>
                  <Table.Td className="num" visibleFrom="xs">
                    {percentOf(period.roi)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryView>
  );
}

const chartSkeleton = (label: string) => <Skeleton height={240} radius="md" aria-label={label} />;

function Curve({ source }: { source: AnalyticsSource }) {
  const curve = useQuery(curveQuery(source));
  return (
    <QueryView
      query={curve}
      what="your cumulative P&L"
      skeleton={chartSkeleton('Loading your cumulative P&L')}
      isEmpty={(data) => data.points.length === 0}
      empty={<EmptyState>The curve starts with your first closed position.</EmptyState>}
    >
      {(data) => <CurveChart points={data.points} label="Cumulative realised P&L" />}
    </QueryView>
  );
}

function Daily({ source }: { source: AnalyticsSource }) {
  const [view, setView] = useState<'bars' | 'calendar'>('bars');
  const daily = useQuery(dailyQuery(source));
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label="Show daily P&L as"
        value={view}
        onChange={(value) => setView(value === 'calendar' ? 'calendar' : 'bars')}
        data={[
          { value: 'bars', label: 'Bars' },
          { value: 'calendar', label: 'Calendar' },
        ]}
        w="fit-content"
      />
      <QueryView
        query={daily}
        what="your daily P&L"
        skeleton={chartSkeleton('Loading your daily P&L')}
        isEmpty={(data) => data.entries.length === 0}
        empty={<EmptyState>Nothing closed in the last 90 days.</EmptyState>}
      >
        {(data) => (view === 'bars' ? <DailyBars daily={data} /> : <DailyCalendar daily={data} />)}
      </QueryView>
    </Stack>
  );
}

function WeekHours({ source }: { source: AnalyticsSource }) {
  const heatmap = useQuery(heatmapQuery(source));
  return (
    <QueryView
      query={heatmap}
      what="your P&L by weekday and hour"
      skeleton={chartSkeleton('Loading your P&L by weekday and hour')}
      isEmpty={(data) => data.cells.length === 0}
      empty={<EmptyState>Nothing closed yet.</EmptyState>}
    >
      {(data) => (
        <Stack gap={4}>
          <Text size="sm" c="dimmed">
            Realised P&amp;L and the number of positions closed, by weekday and hour of the close (New York
            time).
          </Text>
          <Heatmap cells={data.cells} />
        </Stack>
      )}
    </QueryView>
  );
}

function Underlyings({ source, onPick }: { source: AnalyticsSource; onPick: (underlying: string) => void }) {
  const underlyings = useQuery(underlyingsQuery(source));
  return (
    <QueryView
      query={underlyings}
      what="your figures per underlying"
      isEmpty={(data) => data.underlyings.length === 0}
      empty={<EmptyState>Nothing closed yet.</EmptyState>}
    >
      {(data) => (
        <Table.ScrollContainer minWidth={0} type="native" tabIndex={0}>
          <Table striped verticalSpacing="xs">
            <Table.Caption>Best total P&amp;L first; pick one to list its positions below.</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Underlying</Table.Th>
                <Table.Th className="num">P&amp;L</Table.Th>
                <Table.Th className="num">Closed</Table.Th>
                <Table.Th className="num">Win rate</Table.Th>
                <Table.Th className="num" visibleFrom="sm">
                  ROI
                </Table.Th>
                <Table.Th className="num" visibleFrom="sm">
                  Avg P&amp;L
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.underlyings.map((row) => (
                <Table.Tr key={row.underlying}>
                  <Table.Th scope="row">
                    <Anchor component="button" type="button" fw={600} onClick={() => onPick(row.underlying)}>
                      {row.underlying}
                    </Anchor>
                  </Table.Th>
                  <Table.Td className="num">
                    <Pnl value={row.totalPnl} />
                  </Table.Td>
                  <Table.Td className="num">{quantity(row.closedPositions)}</Table.Td>
                  <Table.Td className="num">{ratioPercent(row.winRate)}</Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    {percentOf(row.roi)}
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    <Pnl value={row.averagePnl} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryView>
  );
}

const SORTS = [
  { value: 'closedAt:desc', label: 'Newest first' },
  { value: 'closedAt:asc', label: 'Oldest first' },
  { value: 'pnl:desc', label: 'Biggest gain first' },
  { value: 'pnl:asc', label: 'Biggest loss first' },
  { value: 'pnlPercent:desc', label: 'Best % first' },
  { value: 'pnlPercent:asc', label: 'Worst % first' },
];

const RESULTS = [
  { value: '', label: 'Any result' },
  { value: 'win', label: 'Wins' },
  { value: 'loss', label: 'Losses' },
  { value: 'even', label: 'Break-even' },
];

const TICKER = /^[A-Z]{1,6}$/;

function ClosedPositions({
  source,
  underlying,
  onUnderlying,
}: {
  source: AnalyticsSource;
  underlying: string;
  onUnderlying: (value: string) => void;
}) {
  const [result, setResult] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [sort, setSort] = useState('closedAt:desc');
  const [typed] = useDebouncedValue(underlying.trim().toUpperCase(), 300);
  const tickerError = typed && !TICKER.test(typed) ? 'A ticker of 1 to 6 letters, like AAPL' : null;
  const rangeError = from && to && from > to ? 'Must be on or after the first day' : null;
  const [sortBy, order] = sort.split(':') as [ClosedPositionFilters['sort'], ClosedPositionFilters['order']];
  const filters: ClosedPositionFilters = {
    sort: sortBy,
    order,
    ...(typed && !tickerError ? { underlying: typed } : {}),
    ...(result ? { result: result as ClosedPositionFilters['result'] } : {}),
    ...(from && !rangeError ? { from } : {}),
    ...(to && !rangeError ? { to } : {}),
  };
  const pages = useInfiniteQuery(closedPositionsQuery(source, filters));
  const positions = pages.data?.pages.flatMap((page) => page.positions) ?? [];
  const filtered = Boolean(filters.underlying || filters.result || filters.from || filters.to);
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, md: 5 }} spacing="sm">
        <TextInput
          label="Underlying"
          placeholder="Any"
          value={underlying}
          onChange={(event) => onUnderlying(event.currentTarget.value)}
          error={tickerError}
        />
        <NativeSelect
          label="Result"
          value={result}
          onChange={(event) => setResult(event.currentTarget.value)}
          data={RESULTS}
        />
        <TextInput
          label="Closed from"
          type="date"
          value={from}
          onChange={(event) => setFrom(event.currentTarget.value)}
        />
        <TextInput
          label="Closed to"
          type="date"
          value={to}
          onChange={(event) => setTo(event.currentTarget.value)}
          error={rangeError}
        />
        <NativeSelect
          label="Sort"
          value={sort}
          onChange={(event) => setSort(event.currentTarget.value)}
          data={SORTS}
        />
      </SimpleGrid>
      {pages.isPending ? (
        <SkeletonRows rows={5} label="Loading closed positions" />
      ) : pages.isError ? (
        <ErrorState error={pages.error} what="closed positions" onRetry={() => void pages.refetch()} />
      ) : positions.length === 0 ? (
        <EmptyState>
          {filtered
            ? 'No closed position matches these filters. Clear one to see more.'
            : 'No closed positions yet.'}
        </EmptyState>
      ) : (
        <ClosedPositionsTable
          positions={positions}
          caption={`${quantity(positions.length)} shown, ${SORTS.find((s) => s.value === sort)?.label.toLowerCase()}`}
          showSource={source === 'all'}
        />
      )}
      <MoreButton
        hasMore={pages.hasNextPage}
        loading={pages.isFetchingNextPage}
        onMore={() => void pages.fetchNextPage()}
      />
    </Stack>
  );
}

/** What a person with nothing closed (in this view) does next. */
function Teaching({ source }: { source: AnalyticsSource }) {
  const trade = (
    <ButtonLink to="/trade" key="trade">
      Place a paper trade
    </ButtonLink>
  );
  const copy = (
    <ButtonLink to="/traders" variant={source === 'copied' ? 'filled' : 'default'} key="copy">
      Find a trader to copy
    </ButtonLink>
  );
  const words: Record<AnalyticsSource, string> = {
    all: 'No trading history yet. Your analytics fill in as positions close: trade on a paper account (no real money), or copy a trader and see how their trades work out for you.',
    manual:
      'You have not closed a position you opened yourself. Place a trade, close it, and your figures appear here.',
    copied:
      'No copied position has closed yet. Subscribe to a trader: their trades are copied into your account, and the results show here.',
  };
  return (
    <EmptyState
      action={
        <Group gap="sm">
          {source === 'copied' ? copy : trade}
          {source === 'all' ? copy : null}
          {source === 'all' ? (
            <ButtonLink to="/accounts" variant="subtle">
              Open a paper account
            </ButtonLink>
          ) : null}
        </Group>
      }
    >
      {words[source]}
    </EmptyState>
  );
}

/** Analytics: my performance, for every position, the ones I opened, or the copied ones. */
export function AnalyticsPage({
  source,
  onSource,
}: {
  source: AnalyticsSource;
  onSource: (source: AnalyticsSource) => void;
}) {
  const summary = useQuery(summaryQuery(source));
  const [underlying, setUnderlying] = useState('');
  const positionsRef = useRef<HTMLDivElement>(null);
  const statistics = summary.data?.statistics;
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end" gap="sm">
        <Stack gap={2}>
          <Title order={1}>Analytics</Title>
          <Text size="sm" c="dimmed">
            Realised P&amp;L of {SOURCE_WORDS[source]}; days and hours in New York time.
          </Text>
        </Stack>
        <SegmentedControl
          aria-label="Which positions"
          value={source}
          onChange={(value) => onSource(value as AnalyticsSource)}
          data={SOURCES}
        />
      </Group>
      {summary.isPending ? (
        <SimpleGrid
          cols={{ base: 2, sm: 3, lg: 5 }}
          spacing="sm"
          aria-busy="true"
          aria-label="Loading your figures"
        >
          {Array.from({ length: 10 }, (_, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have nothing else to be keyed by
            <Skeleton key={index} height={84} radius="md" />
          ))}
        </SimpleGrid>
      ) : summary.isError ? (
        <ErrorState error={summary.error} what="your figures" onRetry={() => void summary.refetch()} />
      ) : statistics && statistics.closedPositions === 0 && statistics.openPositions === 0 ? (
        <Teaching source={source} />
      ) : statistics ? (
        <>
          <Section id="figures-heading" title="Figures">
            <StatCards statistics={statistics} />
          </Section>
          {statistics.closedPositions === 0 ? (
            <Teaching source={source} />
          ) : (
            <>
              <Section id="periods-heading" title="Periods">
                <Periods source={source} />
              </Section>
              <Section id="curve-heading" title="Cumulative P&L">
                <Paper withBorder p="sm" radius="md">
                  <Curve source={source} />
                </Paper>
              </Section>
              <Section id="daily-heading" title="Daily P&L">
                <Paper withBorder p="sm" radius="md">
                  <Daily source={source} />
                </Paper>
              </Section>
              <Section id="heatmap-heading" title="By weekday and hour">
                <WeekHours source={source} />
              </Section>
              <Section id="underlyings-heading" title="By underlying">
                <Underlyings
                  source={source}
                  onPick={(picked) => {
                    setUnderlying(picked);
                    positionsRef.current?.scrollIntoView({ block: 'start' });
                  }}
                />
              </Section>
              <div ref={positionsRef}>
                <Section id="positions-heading" title="Closed positions">
                  <ClosedPositions source={source} underlying={underlying} onUnderlying={setUnderlying} />
                </Section>
              </div>
            </>
          )}
        </>
      ) : null}
    </Stack>
  );
}
