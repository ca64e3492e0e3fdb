import {
  Badge,
  Button,
  Group,
  NativeSelect,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { OptionType } from '../../../../src/domain/shared-types';
import { QueryView, SkeletonRows } from '../../components/states';
import { calendarDate, daysUntil, easternMoment, easternTime, price, ratioPercent } from '../../lib/format';
import { chainQuery, expirationsQuery, type OptionChain } from './api';

type ChainProps = {
  underlying: string;
  expiration: string | undefined;
  type: OptionType;
  strike: string | undefined;
  onUnderlying: (underlying: string) => void;
  onExpiration: (expiration: string) => void;
  onType: (type: OptionType) => void;
  onPick: (strike: string) => void;
};

/** The strike nearest the underlying's price: the at-the-money row. */
function atTheMoney(chain: OptionChain): string | undefined {
  const spot = Number(chain.underlyingPrice);
  let best: { strike: string; distance: number } | undefined;
  for (const row of chain.strikes) {
    const distance = Math.abs(Number(row.strike) - spot);
    if (!best || distance < best.distance) best = { strike: row.strike, distance };
  }
  return best?.strike;
}

function ChainTable({
  chain,
  type,
  strike,
  onPick,
}: {
  chain: OptionChain;
  type: OptionType;
  strike: string | undefined;
  onPick: (strike: string) => void;
}) {
  const money = atTheMoney(chain);
  const kind = type === 'call' ? 'calls' : 'puts';
  return (
    <Stack gap="xs">
      <Text size="sm">
        <strong>{chain.underlying}</strong> <span className="num">{price(chain.underlyingPrice)}</span> at{' '}
        {easternTime(chain.asOf)} · expires {easternMoment(chain.expiration.expiresAt)} (
        {daysUntil(chain.expiration.expiresAt)} days)
      </Text>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table
          verticalSpacing={4}
          highlightOnHover
          aria-label={`${chain.underlying} ${kind} expiring ${calendarDate(chain.expiration.date)}`}
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Strike</Table.Th>
              <Table.Th className="num">Bid</Table.Th>
              <Table.Th className="num">Ask</Table.Th>
              <Table.Th className="num" visibleFrom="xs">
                Last
              </Table.Th>
              <Table.Th className="num">IV</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {chain.strikes.map((row) => {
              const contract = type === 'call' ? row.call : row.put;
              const selected = row.strike === strike;
              return (
                <Table.Tr key={row.strike} bg={selected ? 'blue.0' : undefined}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant={selected ? 'filled' : 'light'}
                        aria-pressed={selected}
                        aria-label={`${row.strike} ${type}`}
                        disabled={!contract}
                        onClick={() => onPick(row.strike)}
                        className="num"
                      >
                        {price(row.strike)}
                      </Button>
                      {row.strike === money ? (
                        <Badge size="xs" variant="outline" color="gray.8">
                          At the money
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td className="num">{price(contract?.bid)}</Table.Td>
                  <Table.Td className="num">{price(contract?.ask)}</Table.Td>
                  <Table.Td className="num" visibleFrom="xs">
                    {price(contract?.last)}
                  </Table.Td>
                  <Table.Td className="num">{ratioPercent(contract?.impliedVolatility)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** Underlying, expiration, calls or puts, and the chain to pick a contract from. */
export function OptionChainPanel(props: ChainProps) {
  const { underlying, type } = props;
  const [typed, setTyped] = useState(underlying);
  useEffect(() => setTyped(underlying), [underlying]);
  const expirations = useQuery(expirationsQuery(underlying));
  const expiration = props.expiration ?? expirations.data?.[0]?.date;
  const chain = useQuery({ ...chainQuery(underlying, expiration ?? ''), enabled: expiration !== undefined });
  const now = Date.now();

  return (
    <Stack gap="sm" component="section" aria-labelledby="chain-heading">
      <Title order={2} size="h3" id="chain-heading">
        Option chain
      </Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const next = typed.trim().toUpperCase();
          if (/^[A-Z]{1,6}$/.test(next)) props.onUnderlying(next);
        }}
      >
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <TextInput
            label="Underlying"
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            autoCapitalize="characters"
            maxLength={6}
            error={/^[A-Za-z]{0,6}$/.test(typed.trim()) ? undefined : 'Use 1 to 6 letters, like AAPL'}
            style={{ flex: 1 }}
          />
          <Button type="submit" variant="default">
            Show
          </Button>
        </Group>
      </form>
      <QueryView
        query={expirations}
        what="expirations"
        skeleton={<SkeletonRows rows={1} label="Loading expirations" />}
      >
        {(list) => (
          <Group gap="xs" align="flex-end" wrap="wrap">
            <NativeSelect
              label="Expiration"
              value={expiration ?? ''}
              onChange={(event) => props.onExpiration(event.currentTarget.value)}
              data={list.map((item) => ({
                value: item.date,
                label: `${calendarDate(item.date)} · ${daysUntil(item.expiresAt, now)} days`,
              }))}
              style={{ flex: 1, minWidth: 180 }}
            />
            <SegmentedControl
              aria-label="Calls or puts"
              value={type}
              onChange={(value) => props.onType(value === 'put' ? 'put' : 'call')}
              data={[
                { value: 'call', label: 'Calls' },
                { value: 'put', label: 'Puts' },
              ]}
            />
          </Group>
        )}
      </QueryView>
      {expiration ? (
        <QueryView
          query={chain}
          what="the option chain"
          skeleton={<SkeletonRows rows={8} label="Loading the option chain" />}
        >
          {(data) => <ChainTable chain={data} type={type} strike={props.strike} onPick={props.onPick} />}
        </QueryView>
      ) : null}
    </Stack>
  );
}
