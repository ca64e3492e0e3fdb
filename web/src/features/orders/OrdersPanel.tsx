import { Group, SegmentedControl, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState, QueryView } from '../../components/states';
import { ordersQuery, WORKING_STATUSES } from './api';
import { OrdersTable } from './OrdersTable';

type Show = 'working' | 'recent';

/** Working orders (to cancel or refresh) or the most recent ones, updating live. */
export function OrdersPanel({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const [show, setShow] = useState<Show>('recent');
  const orders = useQuery(ordersQuery(show === 'working' ? { status: WORKING_STATUSES.join(',') } : {}));
  return (
    <Stack gap="sm" component="section" aria-labelledby="orders-heading">
      <Group justify="space-between" wrap="wrap">
        <Title order={headingLevel} size="h3" id="orders-heading">
          Orders
        </Title>
        <SegmentedControl
          size="xs"
          aria-label="Which orders"
          value={show}
          onChange={(value) => setShow(value as Show)}
          data={[
            { value: 'recent', label: 'Recent' },
            { value: 'working', label: 'Working' },
          ]}
        />
      </Group>
      <QueryView
        query={orders}
        what="orders"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState>
            {show === 'working'
              ? 'No working orders: every order has filled or ended.'
              : 'No orders yet. Pick a contract on the chain to place your first one.'}
          </EmptyState>
        }
      >
        {(list) => (
          <OrdersTable
            orders={list}
            caption={show === 'working' ? 'Orders still at the broker' : 'Your 25 most recent orders'}
          />
        )}
      </QueryView>
    </Stack>
  );
}
