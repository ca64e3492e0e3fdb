/**
 * The one place where a live event reaches the page's data: each event type invalidates the
 * query keys it changes (the pages refetch what they show, nothing else); fills, approvals wanted
 * and other new notifications raise a toast unless the user turned that type's alerts off.
 */

import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { QueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import type { CopyEvent, LiveEvent, NotificationType, OrderEvent } from '../../../src/domain/shared-types';
import { messageOf } from '../api/client';
import { accountKeys } from '../features/accounts/api';
import { analyticsKeys } from '../features/analytics/api';
import { meKey, type Profile } from '../features/auth/api';
import { approveCopy, copyKeys } from '../features/copying/api';
import { deskKeys } from '../features/desk/api';
import { alertsOn, toastNotification } from '../features/notifications/alerts';
import { notificationKeys } from '../features/notifications/api';
import { orderKeys } from '../features/orders/api';
import { positionKeys } from '../features/positions/api';
import { marketKeys } from '../features/trade/api';
import { contractName, quantity } from '../lib/format';
import { readOccSymbol } from '../lib/occ';

function contractOf(symbol: string): string {
  const parts = readOccSymbol(symbol);
  return parts ? contractName(parts) : symbol;
}

/** The notification type a fill is told as: the user's own fill, or a copy opened or closed. */
function fillType(event: OrderEvent): NotificationType {
  if (event.source !== 'copy') return 'order_filled';
  return event.side === 'BTO' ? 'copy_trade_executed' : 'copy_trade_close';
}

function toastFill(event: OrderEvent): void {
  const verb = event.side === 'BTO' ? 'Bought' : 'Sold';
  const copied =
    event.source === 'copy' ? 'Copy filled' : event.status === 'filled' ? 'Filled' : 'Partly filled';
  notifications.show({
    id: `fill-${event.orderId}-${event.filledQuantity}`,
    title: copied,
    message: `${verb} ${quantity(event.filledQuantity)} of ${quantity(event.quantity)} · ${contractOf(event.symbol)}`,
    color: 'teal',
    autoClose: 6_000,
  });
}

function ApproveFromToast({ decisionId, queryClient }: { decisionId: string; queryClient: QueryClient }) {
  const navigate = useNavigate();
  const approve = async () => {
    try {
      await approveCopy(decisionId);
      notifications.hide(`approval-${decisionId}`);
      notifications.show({ title: 'Approved', message: 'The copy was sent to your broker.', color: 'teal' });
    } catch (error) {
      notifications.show({ title: 'Could not approve', message: messageOf(error), color: 'red' });
    } finally {
      await queryClient.invalidateQueries({ queryKey: copyKeys.copies });
    }
  };
  return (
    <Group gap="xs" mt={6}>
      <Button size="xs" onClick={approve}>
        Approve
      </Button>
      <Button
        size="xs"
        variant="default"
        onClick={() => {
          notifications.hide(`approval-${decisionId}`);
          void navigate({ to: '/copying', search: { tab: 'approvals' } });
        }}
      >
        Open the inbox
      </Button>
    </Group>
  );
}

function toastApprovalWanted(event: CopyEvent, queryClient: QueryClient): void {
  notifications.show({
    id: `approval-${event.decisionId}`,
    title: 'Approval wanted',
    message: (
      <>
        <Text size="sm">A trader you follow traded. Approve the copy within 15 minutes.</Text>
        <ApproveFromToast decisionId={event.decisionId} queryClient={queryClient} />
      </>
    ),
    autoClose: false,
  });
}

export function applyLiveEvent(queryClient: QueryClient, event: LiveEvent): void {
  const invalidate = (queryKey: readonly unknown[]) => void queryClient.invalidateQueries({ queryKey });
  switch (event.type) {
    case 'order':
      invalidate(orderKeys.all);
      invalidate(positionKeys.all);
      // A fill moves buying power; a copy order changes its decision's line in the copy log.
      invalidate(accountKeys.all);
      if (event.source === 'copy') invalidate(copyKeys.copies);
      if (
        (event.status === 'filled' || event.status === 'partial') &&
        event.filledQuantity > 0 &&
        alertsOn(queryClient, fillType(event))
      )
        toastFill(event);
      return;
    case 'position':
      invalidate(positionKeys.all);
      invalidate(marketKeys.all);
      // A close changes every figure of the analytics.
      invalidate(analyticsKeys.all);
      return;
    case 'copy':
      invalidate(copyKeys.copies);
      invalidate(deskKeys.all);
      invalidate(copyKeys.subscriptions);
      if (event.outcome === 'pending_approval' && alertsOn(queryClient, 'copy_trade_alert'))
        toastApprovalWanted(event, queryClient);
      return;
    case 'account':
      invalidate(accountKeys.all);
      return;
    case 'notification':
      queryClient.setQueryData<Profile>(meKey, (me) =>
        me ? { ...me, unreadNotifications: event.unread } : me,
      );
      invalidate(notificationKeys.all);
      toastNotification(queryClient, event);
      return;
  }
}

/** After events may have been missed (a new stream without Last-Event-ID): refetch what is shown. */
export function catchUp(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({
    predicate: (query) => query.queryKey[0] !== 'market' || query.queryKey[1] === 'quotes',
  });
}
