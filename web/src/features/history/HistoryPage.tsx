import { NativeSelect, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Pnl } from '../../components/figures';
import { EmptyState, ErrorState, MoreButton, SkeletonRows } from '../../components/states';
import { contractName, localTime, price, quantity } from '../../lib/format';
import { orderHistoryQuery } from '../orders/api';
import { OrdersTable } from '../orders/OrdersTable';
import { closedPositionsQuery } from '../positions/api';

export type HistoryView = 'positions' | 'orders';
export type HistorySearch = { view?: HistoryView; status?: string; underlying?: string };

const STATUS_FILTERS = [
  { value: '', label: 'Every status' },
  { value: 'filled', label: 'Filled' },
  { value: 'pending,partial', label: 'Working' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'rejected', label: 'Rejected' },
];

function ClosedPositions({
  underlying,
  onUnderlying,
}: {
  underlying: string;
  onUnderlying: (value: string) => void;
}) {
  const pages = useInfiniteQuery(closedPositionsQuery());
  const filter = underlying.trim().toUpperCase();
  const positions = (pages.data?.pages.flatMap((page) => page.positions) ?? []).filter(
    (position) => !filter || position.underlying.startsWith(filter),
  );
  return (
    <Stack gap="sm">
      <TextInput
        label="Underlying"
        description="Shows the closed positions of one underlying, like AAPL."
        value={underlying}
        onChange={(event) => onUnderlying(event.currentTarget.value)}
        maw={240}
      />
      {pages.isPending ? (
        <SkeletonRows rows={5} label="Loading closed positions" />
      ) : pages.isError ? (
        <ErrorState error={pages.error} what="closed positions" onRetry={() => void pages.refetch()} />
      ) : positions.length === 0 && !pages.hasNextPage ? (
        <EmptyState>
          {filter
            ? `No closed ${filter} positions.`
            : 'No closed positions yet. Positions you close or that expire are listed here.'}
        </EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={0} type="native" tabIndex={0}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Contract</Table.Th>
                <Table.Th className="num" visibleFrom="sm">
                  Contracts
                </Table.Th>
                <Table.Th className="num" visibleFrom="sm">
                  Avg entry
                </Table.Th>
                <Table.Th className="num">Realised P&amp;L</Table.Th>
                <Table.Th visibleFrom="md">Closed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {positions.map((position) => (
                <Table.Tr key={position.id}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {contractName(position)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {position.status === 'expired' ? 'Expired' : 'Closed'}
                      {position.copiedFromPositionId ? ' · copied' : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    {quantity(position.boughtQuantity)}
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    {price(position.averageEntryPrice)}
                  </Table.Td>
                  <Table.Td className="num">
                    <Pnl value={position.realizedPnl} />
                  </Table.Td>
                  <Table.Td visibleFrom="md">{localTime(position.closedAt)}</Table.Td>
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

function OrderHistory({ status, onStatus }: { status: string; onStatus: (value: string) => void }) {
  const pages = useInfiniteQuery(orderHistoryQuery(status ? { status } : {}));
  const orders = pages.data?.pages.flatMap((page) => page.orders) ?? [];
  return (
    <Stack gap="sm">
      <NativeSelect
        label="Status"
        value={status}
        onChange={(event) => onStatus(event.currentTarget.value)}
        data={STATUS_FILTERS}
        maw={240}
      />
      {pages.isPending ? (
        <SkeletonRows rows={5} label="Loading orders" />
      ) : pages.isError ? (
        <ErrorState error={pages.error} what="orders" onRetry={() => void pages.refetch()} />
      ) : orders.length === 0 ? (
        <EmptyState>No orders{status ? ' with this status' : ' yet'}.</EmptyState>
      ) : (
        <OrdersTable orders={orders} caption="Every order, newest first" />
      )}
      <MoreButton
        hasMore={pages.hasNextPage}
        loading={pages.isFetchingNextPage}
        onMore={() => void pages.fetchNextPage()}
      />
    </Stack>
  );
}

/** History: closed positions and every order, a page at a time, filtered. */
export function HistoryPage({
  search,
  onSearch,
}: {
  search: HistorySearch;
  onSearch: (next: Partial<HistorySearch>) => void;
}) {
  return (
    <Stack gap="lg">
      <Title order={1}>History</Title>
      <SegmentedControl
        aria-label="What to show"
        value={search.view ?? 'positions'}
        onChange={(value) => onSearch({ view: value === 'orders' ? 'orders' : 'positions' })}
        data={[
          { value: 'positions', label: 'Closed positions' },
          { value: 'orders', label: 'Orders' },
        ]}
        w="fit-content"
      />
      {search.view !== 'orders' ? (
        <ClosedPositions
          underlying={search.underlying ?? ''}
          onUnderlying={(underlying) => onSearch({ underlying: underlying || undefined })}
        />
      ) : (
        <OrderHistory
          status={search.status ?? ''}
          onStatus={(status) => onSearch({ status: status || undefined })}
        />
      )}
    </Stack>
  );
}
