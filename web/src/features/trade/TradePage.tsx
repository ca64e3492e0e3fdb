import { Grid, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { OrdersPanel } from '../orders/OrdersPanel';
import { PositionsPanel } from '../positions/PositionsPanel';
import { chainQuery, expirationsQuery } from './api';
import { OptionChainPanel } from './OptionChainPanel';
import type { TradeSearch, TradeView } from './search';
import { type TicketContract, TradeTicket } from './TradeTicket';

/** Trade: the chain and the ticket for the selected account, open positions and orders below. */
export function TradePage({
  search,
  onSearch,
}: {
  search: TradeView;
  onSearch: (next: Partial<TradeSearch>, replace?: boolean) => void;
}) {
  const ticket = useRef<HTMLDivElement>(null);
  const expirations = useQuery(expirationsQuery(search.underlying));
  const expiration = search.expiration ?? expirations.data?.[0]?.date;
  const chain = useQuery({
    ...chainQuery(search.underlying, expiration ?? ''),
    enabled: expiration !== undefined,
  });
  const row = chain.data?.strikes.find((candidate) => candidate.strike === search.strike);
  const picked = row ? (search.type === 'call' ? row.call : row.put) : null;
  const contract: TicketContract | null =
    picked && chain.data && expiration
      ? { ...picked, underlying: chain.data.underlying, expiration, strike: row?.strike ?? '' }
      : null;

  const pick = (strike: string) => {
    onSearch({ strike }, true);
    // On a narrow screen the ticket is below the chain: bring it into view, its heading first.
    if (window.matchMedia('(max-width: 62em)').matches) {
      requestAnimationFrame(() => {
        ticket.current?.scrollIntoView({ block: 'start' });
        ticket.current?.querySelector<HTMLElement>('h2')?.focus({ preventScroll: true });
      });
    }
  };

  return (
    <Stack gap="lg">
      <Title order={1}>Trade</Title>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <OptionChainPanel
            underlying={search.underlying}
            expiration={expiration}
            type={search.type}
            strike={search.strike}
            onUnderlying={(underlying) => onSearch({ underlying, expiration: undefined, strike: undefined })}
            onExpiration={(next) => onSearch({ expiration: next, strike: undefined })}
            onType={(type) => onSearch({ type }, true)}
            onPick={pick}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <div style={{ position: 'sticky', top: 76 }}>
            <TradeTicket ref={ticket} contract={contract} />
          </div>
        </Grid.Col>
      </Grid>
      <PositionsPanel />
      <OrdersPanel />
    </Stack>
  );
}
