import { Badge } from '@mantine/core';
import type { OrderStatus } from '../../../../src/domain/shared-types';

const LOOK: Record<OrderStatus, { label: string; color: string }> = {
  pending: { label: 'Working', color: 'blue' },
  partial: { label: 'Partly filled', color: 'blue' },
  filled: { label: 'Filled', color: 'green' },
  cancelled: { label: 'Cancelled', color: 'gray' },
  rejected: { label: 'Rejected', color: 'red' },
};

/** An order's status in words (the colour only repeats them). */
export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { label, color } = LOOK[status];
  return (
    <Badge variant="outline" color={`${color}.9`} radius="sm">
      {label}
    </Badge>
  );
}
