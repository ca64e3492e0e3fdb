import { Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink, ButtonLink } from '../../components/links';
import { SkeletonRows } from '../../components/states';
import { money, quantity } from '../../lib/format';
import { accountsQuery, selectedAccount } from '../accounts/api';
import { ConnectionAlerts } from '../accounts/ConnectionAlerts';
import { meQuery } from '../auth/api';
import { approvalInboxQuery } from '../copying/api';
import { OrdersPanel } from '../orders/OrdersPanel';
import { PositionsPanel } from '../positions/PositionsPanel';

function Figure({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz="lg" className="num">
        {children}
      </Text>
    </Paper>
  );
}

/** Home: the selected account at a glance, open positions and orders, what waits for the user. */
export function DashboardPage() {
  const me = useQuery(meQuery());
  const accounts = useQuery(accountsQuery());
  const inbox = useQuery(approvalInboxQuery());
  const account = selectedAccount(accounts.data);
  const name = me.data?.name?.trim() || me.data?.email || '';
  const waiting = inbox.data?.length ?? 0;

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Welcome, {name}</Title>
        <ButtonLink to="/trade">Trade</ButtonLink>
      </Group>
      <ConnectionAlerts />
      {accounts.isPending ? (
        <SkeletonRows rows={1} label="Loading your account" />
      ) : account ? (
        <SimpleGrid cols={{ base: 1, xs: 3 }}>
          <Figure label={`Buying power · ${account.accountName ?? account.brokerName}`}>
            {money(account.buyingPower)}
          </Figure>
          <Figure label="Cash balance">{money(account.balance)}</Figure>
          <Figure label="Copies waiting for you">
            {waiting > 0 ? (
              <AnchorLink to="/copying" search={{ tab: 'approvals' }}>
                {quantity(waiting)} to approve
              </AnchorLink>
            ) : (
              'None'
            )}
          </Figure>
        </SimpleGrid>
      ) : (
        <Paper withBorder p="md" radius="md" bg="gray.0">
          <Group justify="space-between">
            <Text>No account is selected yet. Open a paper account to start trading.</Text>
            <ButtonLink to="/accounts">Open a paper account</ButtonLink>
          </Group>
        </Paper>
      )}
      <PositionsPanel />
      <OrdersPanel />
      <Stack gap="xs" component="section" aria-labelledby="notifications-heading">
        <Title order={2} size="h3" id="notifications-heading">
          Notifications
        </Title>
        <Text>
          Unread: <strong>{me.data?.unreadNotifications ?? 0}</strong>. Fills, copies and approvals also
          appear on this page as they happen.
        </Text>
      </Stack>
    </Stack>
  );
}
