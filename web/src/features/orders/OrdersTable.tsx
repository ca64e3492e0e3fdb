import { Button, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { messageOf } from '../../api/client';
import { Pnl } from '../../components/figures';
import { useChangedRows } from '../../hooks/useChangedRows';
import { contractName, price, quantity, relativeTime } from '../../lib/format';
import { accountKeys } from '../accounts/api';
import { positionKeys } from '../positions/api';
import { cancelOrder, isWorking, type Order, orderKeys, refreshOrder } from './api';
import { OrderStatusBadge } from './OrderStatusBadge';

function terms(order: Order): string {
  if (order.orderType === 'Market') return 'Market';
  if (order.orderType === 'Limit') return `Limit ${price(order.limitPrice)}`;
  if (order.orderType === 'Stop') return `Stop ${price(order.stopPrice)}`;
  return `Stop ${price(order.stopPrice)}, limit ${price(order.limitPrice)}`;
}

function OrderActions({ order }: { order: Order }) {
  const queryClient = useQueryClient();
  const after = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: orderKeys.all }),
      queryClient.invalidateQueries({ queryKey: positionKeys.all }),
      queryClient.invalidateQueries({ queryKey: accountKeys.all }),
    ]);
  const name = contractName(order);
  const cancel = useMutation({
    mutationFn: () => cancelOrder(order.id),
    onSuccess: (updated) =>
      notifications.show({ title: 'Order cancelled', message: `${updated.side} ${name}`, color: 'gray' }),
    onError: (error) =>
      notifications.show({ title: 'Could not cancel', message: messageOf(error), color: 'red' }),
    onSettled: after,
  });
  const refresh = useMutation({
    mutationFn: () => refreshOrder(order.id),
    onError: (error) =>
      notifications.show({ title: 'Could not refresh', message: messageOf(error), color: 'red' }),
    onSettled: after,
  });
  if (!isWorking(order)) return null;
  return (
    <Group gap={6} wrap="nowrap" justify="flex-end">
      <Button
        size="compact-sm"
        variant="default"
        onClick={() => refresh.mutate()}
        loading={refresh.isPending}
        aria-label={`Refresh the ${order.side} order for ${name}`}
      >
        Refresh
      </Button>
      <Button
        size="compact-sm"
        color="red.9"
        variant="outline"
        onClick={() => cancel.mutate()}
        loading={cancel.isPending}
        aria-label={`Cancel the ${order.side} order for ${name}`}
      >
        Cancel
      </Button>
    </Group>
  );
}

const orderKey = (order: Order) => order.id;
const orderSignature = (order: Order) => `${order.status}/${order.filledQuantity}`;

/** Orders with their live status; working ones can be cancelled or refreshed. */
export function OrdersTable({ orders, caption }: { orders: readonly Order[]; caption: string }) {
  const changed = useChangedRows(orders, orderKey, orderSignature);
  const now = Date.now();
  const sideWords = useCallback(
    (order: Order) => (order.side === 'BTO' ? 'Buy to open' : 'Sell to close'),
    [],
  );
  return (
    <Table.ScrollContainer minWidth={0} type="native" tabIndex={0}>
      <Table verticalSpacing="xs" striped highlightOnHover>
        <Table.Caption style={{ captionSide: 'top', textAlign: 'left' }}>
          <Text span size="sm" c="dimmed">
            {caption}
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Order</Table.Th>
            <Table.Th className="num" visibleFrom="sm">
              Filled
            </Table.Th>
            <Table.Th visibleFrom="md">Terms</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th className="num" visibleFrom="sm">
              Fill price
            </Table.Th>
            <Table.Th className="num" visibleFrom="md">
              Realised P&amp;L
            </Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {orders.map((order) => (
            <Table.Tr
              key={order.id}
              className={changed.has(order.id) ? 'just-changed' : undefined}
              data-order-id={order.id}
            >
              <Table.Td>
                <Stack gap={0}>
                  <Text size="sm" fw={600}>
                    {sideWords(order)} {quantity(order.quantity)} · {contractName(order)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {relativeTime(order.createdAt, now)}
                    {order.source === 'copy' ? ' · copied' : order.source === 'auto' ? ' · at expiry' : ''}
                  </Text>
                  {order.status === 'rejected' && order.statusReason ? (
                    <Text size="xs" c="red.9">
                      {order.statusReason}
                    </Text>
                  ) : null}
                </Stack>
              </Table.Td>
              <Table.Td className="num" visibleFrom="sm">
                {quantity(order.filledQuantity)} of {quantity(order.quantity)}
              </Table.Td>
              <Table.Td visibleFrom="md">{terms(order)}</Table.Td>
              <Table.Td>
                <OrderStatusBadge status={order.status} />
              </Table.Td>
              <Table.Td className="num" visibleFrom="sm">
                {price(order.filledPrice)}
              </Table.Td>
              <Table.Td className="num" visibleFrom="md">
                {order.side === 'STC' ? <Pnl value={order.pnl} /> : null}
              </Table.Td>
              <Table.Td>
                <OrderActions order={order} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
