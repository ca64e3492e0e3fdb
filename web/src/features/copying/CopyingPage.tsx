import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  NativeSelect,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { messageOf } from '../../api/client';
import { AnchorLink, ButtonLink } from '../../components/links';
import { EmptyState, QueryView } from '../../components/states';
import { TONE } from '../../components/tones';
import { useNow } from '../../hooks/useChangedRows';
import { copyExplanation, OUTCOME_LABEL } from '../../lib/copy-reasons';
import { contractName, countdown, easternTime, price, quantity, relativeTime } from '../../lib/format';
import { readOccSymbol } from '../../lib/occ';
import { AccountPicker } from '../accounts/AccountPicker';
import { meQuery } from '../auth/api';
import { TradersDesk } from '../desk/TradersDesk';
import { orderKeys } from '../orders/api';
import { OrderStatusBadge } from '../orders/OrderStatusBadge';
import { positionKeys } from '../positions/api';
import {
  approvalInboxQuery,
  approveCopy,
  type CopyDecision,
  cancelSubscription,
  copyKeys,
  copyLogQuery,
  dismissCopy,
  pauseSubscription,
  resumeSubscription,
  type Subscription,
  subscriptionsQuery,
  updateSubscriptionSettings,
} from './api';
import { SubscriptionSettingsForm } from './SubscriptionSettingsForm';

export type CopyingTab = 'subscriptions' | 'approvals' | 'log' | 'followers';

const traderName = (trader: Subscription['trader']) =>
  trader.name ?? (trader.username ? `@${trader.username}` : 'A trader');

function contractOf(symbol: string): string {
  const parts = readOccSymbol(symbol);
  return parts ? contractName(parts) : symbol;
}

function useInvalidateCopying() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      [copyKeys.subscriptions, copyKeys.copies, orderKeys.all, positionKeys.all].map((queryKey) =>
        queryClient.invalidateQueries({ queryKey }),
      ),
    );
}

// ---- Subscriptions ---------------------------------------------------------------------------

function settingsInWords(subscription: Subscription): string[] {
  const { settings } = subscription;
  const example = Math.min(Math.floor(10 * settings.scalingFactor), settings.maxPositionSize);
  return [
    settings.autoExecute ? 'Copies automatically.' : 'Asks you before each copy.',
    `Scaling ${settings.scalingFactor}×: when this trader buys 10, you buy ${example}.`,
    `At most ${settings.maxPositionSize} contracts per copied trade, ${settings.maxDailyTrades} copied openings a day.`,
  ];
}

const STATUS_LOOK = { active: TONE.good, paused: TONE.neutral, cancelled: TONE.neutral } as const;

function SubscriptionCard({
  subscription,
  onShowLog,
}: {
  subscription: Subscription;
  onShowLog: () => void;
}) {
  const refresh = useInvalidateCopying();
  const [editing, setEditing] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const failed = (error: unknown) =>
    notifications.show({ title: 'Not changed', message: messageOf(error), color: 'red' });
  const pause = useMutation({
    mutationFn: () => pauseSubscription(subscription.id),
    onSettled: refresh,
    onError: failed,
  });
  const resume = useMutation({
    mutationFn: () => resumeSubscription(subscription.id),
    onSettled: refresh,
    onError: failed,
  });
  const cancel = useMutation({
    mutationFn: () => cancelSubscription(subscription.id),
    onSettled: refresh,
    onSuccess: () => setCancelling(false),
    onError: failed,
  });
  const name = traderName(subscription.trader);
  return (
    <Card withBorder radius="md" component="article" aria-label={`Subscription to ${name}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={3} size="h4">
            <AnchorLink to="/traders/$traderId" params={{ traderId: subscription.trader.id }}>
              {name}
            </AnchorLink>
            {subscription.trader.verified ? ' ✓' : ''}
          </Title>
          <Badge variant="outline" color={STATUS_LOOK[subscription.status]}>
            {subscription.status === 'active'
              ? 'Active'
              : subscription.status === 'paused'
                ? 'Paused'
                : 'Cancelled'}
          </Badge>
        </Group>
        {settingsInWords(subscription).map((line) => (
          <Text size="sm" key={line}>
            {line}
          </Text>
        ))}
        <Group gap="xs">
          {subscription.status !== 'cancelled' ? (
            <Button size="compact-md" variant="default" onClick={() => setEditing(true)}>
              Settings
            </Button>
          ) : null}
          {subscription.status === 'active' ? (
            <Button
              size="compact-md"
              variant="default"
              onClick={() => pause.mutate()}
              loading={pause.isPending}
            >
              Pause
            </Button>
          ) : null}
          {subscription.status === 'paused' ? (
            <Button size="compact-md" onClick={() => resume.mutate()} loading={resume.isPending}>
              Resume
            </Button>
          ) : null}
          <Button size="compact-md" variant="subtle" onClick={onShowLog}>
            Copy log
          </Button>
          {subscription.status !== 'cancelled' ? (
            <Button size="compact-md" variant="subtle" color="red" onClick={() => setCancelling(true)}>
              Unsubscribe
            </Button>
          ) : null}
        </Group>
      </Stack>
      <Modal opened={editing} onClose={() => setEditing(false)} title={`Copying ${name}`}>
        <SubscriptionSettingsForm
          initial={subscription.settings}
          submitLabel="Save settings"
          pendingLabel="Saving…"
          onCancel={() => setEditing(false)}
          onSubmit={async (settings) => {
            await updateSubscriptionSettings(subscription.id, settings);
            await refresh();
            setEditing(false);
          }}
        />
      </Modal>
      <Modal opened={cancelling} onClose={() => setCancelling(false)} title={`Stop copying ${name}?`}>
        <Stack>
          <Text>
            Nothing more is copied. Positions already copied stay yours. You can subscribe again later.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setCancelling(false)}>
              Keep copying
            </Button>
            <Button color="red.9" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              Unsubscribe
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

function SubscriptionsTab({ onShowLog }: { onShowLog: (subscriptionId: string) => void }) {
  const subscriptions = useQuery(subscriptionsQuery());
  return (
    <QueryView
      query={subscriptions}
      what="your subscriptions"
      isEmpty={(list) => list.length === 0}
      empty={
        <EmptyState action={<ButtonLink to="/traders">Find a trader</ButtonLink>}>
          You do not copy anyone yet. Find a trader and subscribe; every trade they make is mirrored into your
          account.
        </EmptyState>
      }
    >
      {(list) => (
        <Stack gap="sm">
          <AccountPicker label="Copy into" purpose="copies" />
          {list.map((subscription) => (
            <SubscriptionCard
              key={subscription.id}
              subscription={subscription}
              onShowLog={() => onShowLog(subscription.id)}
            />
          ))}
        </Stack>
      )}
    </QueryView>
  );
}

// ---- Approvals -------------------------------------------------------------------------------

function ApprovalCard({ decision, trader }: { decision: CopyDecision; trader: string }) {
  const refresh = useInvalidateCopying();
  const now = useNow(1_000);
  const left = decision.expiresAt ? countdown(decision.expiresAt, now) : null;
  const failed = (error: unknown) =>
    notifications.show({ title: 'Not done', message: messageOf(error), color: 'red' });
  const approve = useMutation({
    mutationFn: () => approveCopy(decision.id),
    onSuccess: () =>
      notifications.show({ title: 'Approved', message: 'The copy was sent to your broker.', color: 'teal' }),
    onError: failed,
    onSettled: refresh,
  });
  const dismiss = useMutation({
    mutationFn: () => dismissCopy(decision.id),
    onError: failed,
    onSettled: refresh,
  });
  const amount = decision.copyQuantity ?? decision.computedQuantity;
  const what = `${decision.side === 'BTO' ? 'Buy' : 'Sell'} ${quantity(amount)} · ${contractOf(decision.symbol)}`;
  return (
    <Card withBorder radius="md" component="article" aria-label={what}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={600}>{what}</Text>
          <Text size="sm" className="num" aria-live="off">
            {left ? `${left} left` : 'Lapsed'}
          </Text>
        </Group>
        <Text size="sm">
          {trader} {decision.side === 'BTO' ? 'bought' : 'sold'} {quantity(decision.sourceQuantity)}.{' '}
          {decision.expiresAt
            ? left
              ? `Approve by ${easternTime(decision.expiresAt)} or it lapses.`
              : `It lapsed at ${easternTime(decision.expiresAt)}.`
            : ''}
        </Text>
        <Group gap="xs">
          <Button
            onClick={() => approve.mutate()}
            loading={approve.isPending}
            disabled={!left}
            aria-label={`Approve: ${what}`}
          >
            Approve
          </Button>
          <Button
            variant="default"
            onClick={() => dismiss.mutate()}
            loading={dismiss.isPending}
            disabled={!left}
            aria-label={`Dismiss: ${what}`}
          >
            Dismiss
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ApprovalsTab({ traders }: { traders: Map<string, string> }) {
  const inbox = useQuery(approvalInboxQuery());
  return (
    <QueryView
      query={inbox}
      what="the approval inbox"
      isEmpty={(list) => list.length === 0}
      empty={
        <EmptyState>
          Nothing waits for your approval. When a trader you follow trades, the copy appears here.
        </EmptyState>
      }
    >
      {(list) => (
        <Stack gap="sm">
          {list.map((decision) => (
            <ApprovalCard
              key={decision.id}
              decision={decision}
              trader={traders.get(decision.subscriptionId) ?? 'The trader'}
            />
          ))}
        </Stack>
      )}
    </QueryView>
  );
}

// ---- Copy log --------------------------------------------------------------------------------

function CopyLogTab({
  subscriptionId,
  onSubscription,
  subscriptions,
}: {
  subscriptionId: string | null;
  onSubscription: (id: string | null) => void;
  subscriptions: readonly Subscription[];
}) {
  const log = useQuery(copyLogQuery(subscriptionId));
  const byId = new Map(subscriptions.map((subscription) => [subscription.id, subscription]));
  const now = Date.now();
  return (
    <Stack gap="sm">
      <NativeSelect
        label="Trader"
        value={subscriptionId ?? ''}
        onChange={(event) => onSubscription(event.currentTarget.value || null)}
        data={[
          { value: '', label: 'Every trader' },
          ...subscriptions.map((subscription) => ({
            value: subscription.id,
            label: traderName(subscription.trader),
          })),
        ]}
        maw={320}
      />
      <QueryView
        query={log}
        what="the copy log"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState>
            No copies yet. Each trade of a trader you follow is listed here, copied or not, with why.
          </EmptyState>
        }
      >
        {(list) => (
          <Table.ScrollContainer minWidth={0} type="native">
            <Table verticalSpacing="xs" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Trade</Table.Th>
                  <Table.Th>What happened</Table.Th>
                  <Table.Th visibleFrom="sm">Your order</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((entry) => {
                  const subscription = byId.get(entry.subscriptionId);
                  return (
                    <Table.Tr key={entry.id} data-copy-id={entry.id}>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {entry.side === 'BTO' ? 'Buy' : 'Sell'} · {contractOf(entry.symbol)}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {subscription ? traderName(subscription.trader) : 'Trader'}:{' '}
                          {quantity(entry.sourceQuantity)} → you:{' '}
                          {quantity(entry.copyQuantity ?? entry.computedQuantity ?? 0)} ·{' '}
                          {relativeTime(entry.createdAt, now)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="outline" color="gray.8" mb={4}>
                          {OUTCOME_LABEL[entry.outcome]}
                        </Badge>
                        <Text size="sm">
                          {copyExplanation(entry, {
                            detail: entry.detail,
                            maxDailyTrades: subscription?.settings.maxDailyTrades,
                          })}
                        </Text>
                      </Table.Td>
                      <Table.Td visibleFrom="sm">
                        {entry.copyOrder ? (
                          <Stack gap={2} align="flex-start">
                            <OrderStatusBadge status={entry.copyOrder.status} />
                            <Text size="xs" className="num">
                              {quantity(entry.copyOrder.filledQuantity)} filled at{' '}
                              {price(entry.copyOrder.filledPrice)}
                            </Text>
                          </Stack>
                        ) : (
                          <Text size="sm" c="dimmed">
                            No order
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </Stack>
  );
}

/** Copying: my subscriptions, the approval inbox, the copy log; for a trader, my followers. */
export function CopyingPage({
  tab,
  subscriptionId,
  onNavigate,
}: {
  tab: CopyingTab;
  subscriptionId: string | null;
  onNavigate: (next: { tab: CopyingTab; subscription?: string | undefined }) => void;
}) {
  const me = useQuery(meQuery());
  const subscriptions = useQuery(subscriptionsQuery());
  const inbox = useQuery(approvalInboxQuery());
  const traders = new Map((subscriptions.data ?? []).map((s) => [s.id, traderName(s.trader)]));
  const waiting = inbox.data?.length ?? 0;
  return (
    <Stack gap="lg">
      <Title order={1}>Copying</Title>
      <Tabs
        value={tab}
        onChange={(value) => onNavigate({ tab: (value as CopyingTab | null) ?? 'subscriptions' })}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="subscriptions">Subscriptions</Tabs.Tab>
          <Tabs.Tab
            value="approvals"
            rightSection={
              waiting > 0 ? (
                <Badge size="sm" color="red.9">
                  {waiting}
                </Badge>
              ) : null
            }
          >
            Approvals
          </Tabs.Tab>
          <Tabs.Tab value="log">Copy log</Tabs.Tab>
          {me.data?.isTrader ? <Tabs.Tab value="followers">My followers</Tabs.Tab> : null}
        </Tabs.List>
        <Tabs.Panel value="subscriptions" pt="md">
          <SubscriptionsTab onShowLog={(id) => onNavigate({ tab: 'log', subscription: id })} />
        </Tabs.Panel>
        <Tabs.Panel value="approvals" pt="md">
          <ApprovalsTab traders={traders} />
        </Tabs.Panel>
        <Tabs.Panel value="log" pt="md">
          <CopyLogTab
            subscriptionId={subscriptionId}
            subscriptions={subscriptions.data ?? []}
            onSubscription={(id) => onNavigate({ tab: 'log', subscription: id ?? undefined })}
          />
        </Tabs.Panel>
        {me.data?.isTrader ? (
          <Tabs.Panel value="followers" pt="md">
            <TradersDesk />
          </Tabs.Panel>
        ) : null}
      </Tabs>
    </Stack>
  );
}
