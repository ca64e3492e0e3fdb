import { Badge, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Pnl } from '../../components/figures';
import { calendarDate, contractName, price, quantity } from '../../lib/format';
import type { ClosedPosition } from './api';

/** Closed positions with their realised P&L; `header` cells may be sort buttons. */
export function ClosedPositionsTable({
  positions,
  caption,
  showSource = true,
  pnlHeader,
  closedHeader,
}: {
  positions: ClosedPosition[];
  caption: string;
  showSource?: boolean;
  pnlHeader?: ReactNode;
  closedHeader?: ReactNode;
}) {
  return (
    <Table.ScrollContainer minWidth={0} type="native" tabIndex={0}>
      <Table striped verticalSpacing="xs">
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Contract</Table.Th>
            <Table.Th className="num" visibleFrom="sm">
              Contracts
            </Table.Th>
            <Table.Th className="num" visibleFrom="sm">
              Avg entry
            </Table.Th>
            <Table.Th className="num">{pnlHeader ?? 'Realised P&L'}</Table.Th>
            <Table.Th visibleFrom="xs">{closedHeader ?? 'Closed'}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {positions.map((position) => (
            <Table.Tr key={position.id}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {contractName(position)}
                </Text>
                <Text size="xs" c="dimmed">
                  {position.status === 'expired' ? 'Expired' : 'Closed'}
                  {showSource ? (
                    <>
                      {' · '}
                      <Badge
                        size="xs"
                        variant="outline"
                        color={position.source === 'copied' ? 'blue.8' : 'gray.7'}
                      >
                        {position.source}
                      </Badge>
                    </>
                  ) : null}
                </Text>
              </Table.Td>
              <Table.Td className="num" visibleFrom="sm">
                {quantity(position.quantity)}
              </Table.Td>
              <Table.Td className="num" visibleFrom="sm">
                {price(position.averageEntryPrice)}
              </Table.Td>
              <Table.Td className="num">
                <Pnl value={position.pnl} percent={position.pnlPercent} />
              </Table.Td>
              <Table.Td visibleFrom="xs">{calendarDate(position.closeDay)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
