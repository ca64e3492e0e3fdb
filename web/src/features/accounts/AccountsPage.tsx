import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { messageOf } from '../../api/client';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import { EmptyState, QueryView } from '../../components/states';
import { money, relativeTime } from '../../lib/format';
import {
  type Account,
  accountKeys,
  accountsQuery,
  disconnectAccount,
  openPaperAccount,
  reconnectAccount,
  selectAccount,
  startSnaptradeConnection,
  syncAccount,
} from './api';
import { reconnectReasonInWords, tradingBlock } from './health';

function PaperAccountForm({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { name: 'Paper trading', startingBalance: '100000' } });
  const { pending, formError, submit: send } = useApiSubmit(form);
  const submit = send(async (values) => {
    const account = await openPaperAccount({
      name: values.name.trim(),
      startingBalance: values.startingBalance.trim(),
    });
    await queryClient.invalidateQueries({ queryKey: accountKeys.all });
    notifications.show({
      title: 'Paper account open',
      message: `${account.accountName ?? 'Paper'} with ${money(account.balance)}${account.isSelected ? ', selected for trading' : ''}`,
      color: 'teal',
    });
    onDone();
  });
  return (
    <form onSubmit={submit} aria-busy={pending}>
      <Stack gap="md">
        <TextInput label="Name" {...announcedError} {...form.getInputProps('name')} />
        <TextInput
          label="Starting balance (US$)"
          inputMode="decimal"
          description="Play money: orders fill at simulated market prices."
          {...announcedError}
          {...form.getInputProps('startingBalance')}
        />
        <FormAlert error={formError} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Not now
          </Button>
          <Button type="submit" disabled={pending}>
            {pending ? 'Opening…' : 'Open the account'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function AccountCard({ account }: { account: Account }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const done = () => queryClient.invalidateQueries({ queryKey: accountKeys.all });
  const failed = (title: string) => (error: unknown) =>
    notifications.show({ title, message: messageOf(error), color: 'red' });
  const select = useMutation({
    mutationFn: () => selectAccount(account.id),
    onSettled: done,
    onError: failed('Could not select'),
  });
  const sync = useMutation({
    mutationFn: () => syncAccount(account.id),
    onSettled: done,
    onError: failed('Could not sync'),
  });
  const disconnect = useMutation({
    mutationFn: () => disconnectAccount(account.id),
    onSettled: done,
    onSuccess: () => setConfirming(false),
    onError: failed('Could not disconnect'),
  });
  // Like connecting: the portal repairs the same connection, then sends the browser back.
  const reconnect = useMutation({
    mutationFn: () => reconnectAccount(account.id),
    onSuccess: ({ url }) => window.location.assign(url),
    onError: failed('Could not start reconnecting'),
  });
  const name = account.accountName ?? account.brokerName;
  const broken = account.isActive && account.needsReconnect;
  const block = tradingBlock(account);
  return (
    <Card withBorder radius="md" padding="md" component="article" aria-label={name}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Title order={2} size="h4">
              {name}
            </Title>
            <Text size="sm" c="dimmed">
              {account.brokerName} · {account.accountNumber}
            </Text>
          </div>
          <Group gap={4}>
            <Badge variant="outline" color="gray.8">
              {account.provider === 'paper' ? 'Paper' : 'SnapTrade'}
            </Badge>
            {account.isSelected ? <Badge color="blue.8">Selected</Badge> : null}
            {!account.isActive ? (
              <Badge variant="outline" color="red.9">
                Disconnected
              </Badge>
            ) : null}
            {broken ? <Badge color="red.9">Needs reconnecting</Badge> : null}
            {account.isActive && account.readOnly ? (
              <Badge variant="outline" color="gray.8">
                Read-only
              </Badge>
            ) : null}
          </Group>
        </Group>
        <Group gap="xl">
          <div>
            <Text size="xs" c="dimmed">
              Buying power
            </Text>
            <Text fw={700} className="num">
              {money(account.buyingPower)}
            </Text>
          </div>
          <div>
            <Text size="xs" c="dimmed">
              Cash balance
            </Text>
            <Text fw={700} className="num">
              {money(account.balance)}
            </Text>
          </div>
        </Group>
        {broken ? (
          <Alert color="red" variant="light" title="Needs reconnecting">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">
                {reconnectReasonInWords(account)} Orders and copies to this account are stopped until you
                reconnect it; it keeps its history and positions.
              </Text>
              <Button
                color="red.9"
                size="compact-md"
                onClick={() => reconnect.mutate()}
                loading={reconnect.isPending}
                aria-label={`Reconnect ${name}`}
              >
                Reconnect
              </Button>
            </Stack>
          </Alert>
        ) : null}
        {account.isActive && account.readOnly ? (
          <Text size="sm">{block?.explanation} It cannot be selected for trading.</Text>
        ) : null}
        <Text size="xs" c="dimmed">
          {!account.isActive
            ? 'Disconnected: its history stays; it takes no orders.'
            : broken
              ? `Balances as last synced ${relativeTime(account.lastSyncAt)}`
              : `Connection OK · balances synced ${relativeTime(account.lastSyncAt)}`}
        </Text>
        {account.isActive ? (
          <Group gap="xs">
            {!account.isSelected && !account.readOnly ? (
              <Button
                size="compact-md"
                onClick={() => select.mutate()}
                loading={select.isPending}
                aria-label={`Select ${name}`}
              >
                Select for trading
              </Button>
            ) : null}
            <Button
              size="compact-md"
              variant="default"
              onClick={() => sync.mutate()}
              loading={sync.isPending}
              aria-label={`Sync ${name}`}
            >
              Sync
            </Button>
            <Button
              size="compact-md"
              variant="subtle"
              color="red"
              onClick={() => setConfirming(true)}
              aria-label={`Disconnect ${name}`}
            >
              Disconnect
            </Button>
          </Group>
        ) : null}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Disconnect ${name}?`}>
        <Stack>
          <Text>Orders stop going to this account. Its positions and history stay.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
            <Button color="red.9" onClick={() => disconnect.mutate()} loading={disconnect.isPending}>
              Disconnect
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

function ConnectBrokerage() {
  const [error, setError] = useState<string | null>(null);
  const connect = useMutation({
    mutationFn: startSnaptradeConnection,
    onSuccess: ({ url }) => window.location.assign(url),
    onError: (failure) => setError(messageOf(failure)),
  });
  return (
    <Stack gap={4}>
      <Button variant="default" onClick={() => connect.mutate()} loading={connect.isPending}>
        Connect a brokerage
      </Button>
      {error ? (
        <Text size="sm" c="red.9" role="alert">
          {error}
        </Text>
      ) : null}
    </Stack>
  );
}

/** Accounts: paper and brokerage, the selected one, balances, sync and disconnect. */
export function AccountsPage({ connected }: { connected: number | undefined }) {
  const queryClient = useQueryClient();
  const accounts = useQuery(accountsQuery());
  const [opening, setOpening] = useState(false);
  // Back from the Connection Portal: the server added the accounts; show them.
  useEffect(() => {
    if (connected === undefined) return;
    void queryClient.invalidateQueries({ queryKey: accountKeys.all });
  }, [connected, queryClient]);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Accounts</Title>
        <Group gap="xs" align="flex-start">
          <Button onClick={() => setOpening(true)}>Open a paper account</Button>
          <ConnectBrokerage />
        </Group>
      </Group>
      {connected !== undefined ? (
        <Alert color="teal" variant="light" title="Brokerage connected">
          {connected === 1 ? 'One account was added.' : `${connected} accounts were added.`} Select one for
          trading below.
        </Alert>
      ) : null}
      <QueryView
        query={accounts}
        what="your accounts"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState action={<Button onClick={() => setOpening(true)}>Open a paper account</Button>}>
            No accounts yet. A paper account lets you trade with play money right away; connect a brokerage to
            trade for real.
          </EmptyState>
        }
      >
        {(list) => (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {list.map((account) => (
              <AccountCard key={account.id} account={account} />
            ))}
          </SimpleGrid>
        )}
      </QueryView>
      <Modal opened={opening} onClose={() => setOpening(false)} title="Open a paper account">
        <PaperAccountForm onDone={() => setOpening(false)} />
      </Modal>
    </Stack>
  );
}
