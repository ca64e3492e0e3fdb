import { Button, Group, List, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { Pnl } from '../../components/figures';
import { AnchorLink } from '../../components/links';
import { EmptyState, QueryView } from '../../components/states';
import { ratioPercent } from '../../lib/format';
import { subscriptionsQuery } from '../copying/api';
import { tradersListQuery } from './api';

/** A trader's id from what a person pastes: their profile link or the id itself. */
export function traderIdFrom(input: string): string | null {
  const text = input.trim();
  const fromLink = /\/traders\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(text)?.[1];
  if (fromLink) return fromLink;
  return /^[A-Za-z0-9_-]{6,}$/.test(text) ? text : null;
}

/** A trader's profile from the link they shared (a new trader reaches the list at its next refresh). */
function ProfileLinkForm() {
  const navigate = useNavigate();
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const traderId = traderIdFrom(link);
        if (!traderId) {
          setError('Paste a trader’s profile link (…/traders/…) or their id');
          return;
        }
        void navigate({ to: '/traders/$traderId', params: { traderId } });
      }}
    >
      <Stack gap="xs">
        <Group align="flex-start" gap="xs" wrap="nowrap">
          <TextInput
            label="Trader profile link or id"
            description="Traders share their link from Settings."
            value={link}
            onChange={(event) => {
              setLink(event.currentTarget.value);
              setError(null);
            }}
            error={error}
            errorProps={{ role: 'alert' }}
            style={{ flex: 1 }}
          />
        </Group>
        <Group>
          <Button type="submit">Open profile</Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * How traders are found: the list of active traders by total P&L, narrowed by username. The
 * leaderboard with sorting, periods and paging is the Traders page's next step.
 */
function TraderDirectory() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const traders = useQuery(tradersListQuery(debounced));
  return (
    <Stack gap="xs">
      <TextInput
        label="Search by username"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        style={{ maxWidth: 360 }}
      />
      <QueryView
        query={traders}
        what="traders"
        isEmpty={(page) => page.traders.length === 0}
        empty={
          <EmptyState>
            {debounced
              ? `No trader’s username matches “${debounced}”.`
              : 'No traders yet. Become one in Settings.'}
          </EmptyState>
        }
      >
        {(page) => (
          <Table.ScrollContainer minWidth={0} type="native">
            <Table striped verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th ta="right">Rank</Table.Th>
                  <Table.Th>Trader</Table.Th>
                  <Table.Th ta="right">Total P&L</Table.Th>
                  <Table.Th ta="right">Win rate</Table.Th>
                  <Table.Th ta="right">Followers</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.traders.map((trader) => (
                  <Table.Tr key={trader.id}>
                    <Table.Td ta="right" className="num">
                      {trader.rank}
                    </Table.Td>
                    <Table.Td>
                      <AnchorLink to="/traders/$traderId" params={{ traderId: trader.id }}>
                        {trader.name ?? trader.username ?? 'A trader'}
                      </AnchorLink>
                    </Table.Td>
                    <Table.Td ta="right" className="num">
                      <Pnl value={trader.totalPnl} />
                    </Table.Td>
                    <Table.Td ta="right" className="num">
                      {ratioPercent(trader.winRate)}
                    </Table.Td>
                    <Table.Td ta="right" className="num">
                      {trader.followers}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </Stack>
  );
}

/** Traders: find one, and the ones already followed. */
export function TradersPage() {
  const subscriptions = useQuery(subscriptionsQuery());
  return (
    <Stack gap="lg">
      <Title order={1}>Traders</Title>
      <Stack gap="sm" component="section" aria-labelledby="find-heading">
        <Title order={2} size="h3" id="find-heading">
          Find a trader
        </Title>
        <TraderDirectory />
        <ProfileLinkForm />
      </Stack>
      <Stack gap="sm" component="section" aria-labelledby="following-heading">
        <Title order={2} size="h3" id="following-heading">
          Traders you follow
        </Title>
        <QueryView
          query={subscriptions}
          what="the traders you follow"
          isEmpty={(list) => list.filter((s) => s.status !== 'cancelled').length === 0}
          empty={<EmptyState>You follow no one yet. Open a trader’s profile to subscribe.</EmptyState>}
        >
          {(list) => (
            <List spacing="xs">
              {list
                .filter((subscription) => subscription.status !== 'cancelled')
                .map((subscription) => (
                  <List.Item key={subscription.id}>
                    <AnchorLink to="/traders/$traderId" params={{ traderId: subscription.trader.id }}>
                      {subscription.trader.name ?? subscription.trader.username ?? 'A trader'}
                    </AnchorLink>
                    <Text span size="sm" c="dimmed">
                      {' '}
                      · {subscription.status}
                    </Text>
                  </List.Item>
                ))}
            </List>
          )}
        </QueryView>
      </Stack>
    </Stack>
  );
}
