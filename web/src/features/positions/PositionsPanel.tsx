import { Button, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Pnl } from '../../components/figures';
import { ButtonLink } from '../../components/links';
import { EmptyState, QueryView } from '../../components/states';
import { useChangedRows } from '../../hooks/useChangedRows';
import { unrealisedPnl } from '../../lib/decimal';
import { contractName, price, quantity } from '../../lib/format';
import { type ContractQuote, quotesQuery } from '../trade/api';
import { openPositionsQuery, type Position } from './api';
import { ClosePositionDialog } from './ClosePositionDialog';

const positionKey = (position: Position) => position.id;
const positionSignature = (position: Position) => `${position.openQuantity}/${position.realizedPnl}`;

function PositionsTable({
  positions,
  marks,
}: {
  positions: readonly Position[];
  marks: Map<string, ContractQuote> | undefined;
}) {
  const [closing, setClosing] = useState<Position | null>(null);
  const changed = useChangedRows(positions, positionKey, positionSignature);
  return (
    <>
      <Table.ScrollContainer minWidth={0} type="native">
        <Table verticalSpacing="xs" striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Contract</Table.Th>
              <Table.Th className="num">Open</Table.Th>
              <Table.Th className="num" visibleFrom="sm">
                Avg entry
              </Table.Th>
              <Table.Th className="num" visibleFrom="sm">
                Mark (bid)
              </Table.Th>
              <Table.Th className="num">Unrealised</Table.Th>
              <Table.Th className="num" visibleFrom="md">
                Realised
              </Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {positions.map((position) => {
              const mark = marks?.get(position.symbol)?.bid ?? null;
              const name = contractName(position);
              return (
                <Table.Tr
                  key={position.id}
                  className={changed.has(position.id) ? 'just-changed' : undefined}
                  data-position-id={position.id}
                >
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {name}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {position.symbol}
                    </Text>
                    {position.copiedFromPositionId ? (
                      <Text size="xs" c="dimmed">
                        Copied
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td className="num">{quantity(position.openQuantity)}</Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    {price(position.averageEntryPrice)}
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="sm">
                    {price(mark)}
                  </Table.Td>
                  <Table.Td className="num">
                    <Pnl value={unrealisedPnl(mark, position.averageEntryPrice, position.openQuantity)} />
                  </Table.Td>
                  <Table.Td className="num" visibleFrom="md">
                    <Pnl value={position.realizedPnl} />
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-sm"
                      variant="default"
                      onClick={() => setClosing(position)}
                      aria-label={`Close ${name}`}
                      disabled={position.openQuantity === 0}
                    >
                      Close
                    </Button>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ClosePositionDialog
        position={closing}
        mark={closing ? (marks?.get(closing.symbol) ?? null) : null}
        onClose={() => setClosing(null)}
      />
    </>
  );
}

/** Open positions with their marks and P&L, closing part or all from a dialog. */
export function PositionsPanel({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const positions = useQuery(openPositionsQuery());
  const symbols = positions.data?.map((position) => position.symbol) ?? [];
  const marks = useQuery(quotesQuery(symbols));
  return (
    <Stack gap="sm" component="section" aria-labelledby="positions-heading">
      <Title order={headingLevel} size="h3" id="positions-heading">
        Positions
      </Title>
      <QueryView
        query={positions}
        what="positions"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState action={<ButtonLink to="/trade">Place your first paper trade</ButtonLink>}>
            No open positions yet.
          </EmptyState>
        }
      >
        {(list) => <PositionsTable positions={list} marks={marks.data} />}
      </QueryView>
    </Stack>
  );
}
