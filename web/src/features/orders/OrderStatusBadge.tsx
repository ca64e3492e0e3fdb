import { Badge } from '@mantine/core';
import type { OrderStatus } from '../../../../src/domain/shared-types';
import { TONE } from '../../components/tones';

const LOOK: Record<OrderStatus, { label: string; color: string }> = {
  pending: { label: 'Working', color: TONE.working },
  partial: { label: 'Partly filled', color: TONE.working },
  filled: { label: 'Filled', color: TONE.good },
  cancelled: { label: 'Cancelled', color: TONE.neutral },
  rejected: { label: 'Rejected', color: TONE.refused },
};

/** An order's status in words (the colour only repeats them). */
export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { label, color } = LOOK[status];
  return (
    <Badge variant="outline" color={color} radius="sm">
      {label}
    </Badge>
  );
}
