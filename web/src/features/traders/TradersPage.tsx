import { Button, Group, List, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { AnchorLink } from '../../components/links';
import { EmptyState, QueryView } from '../../components/states';
import { subscriptionsQuery } from '../copying/api';

/** A trader's id from what a person pastes: their profile link or the id itself. */
export function traderIdFrom(input: string): string | null {
  const text = input.trim();
  const fromLink = /\/traders\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(text)?.[1];
  if (fromLink) return fromLink;
  return /^[A-Za-z0-9_-]{6,}$/.test(text) ? text : null;
}

/**
 * How traders are found. Until the API lists traders (`GET /api/traders`, the leaderboard),
 * a trader shares their profile link; this is the one component to replace with the list.
 */
function TraderDirectory() {
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
            description="Traders share their link from Settings. The leaderboard arrives with trader discovery."
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
