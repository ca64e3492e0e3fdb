import { Paper, SimpleGrid, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Pnl } from '../../components/figures';
import { money, quantity, ratioPercent, signedPercentage } from '../../lib/format';
import type { Statistics } from './api';

/** One figure in a card, named for screen readers and tests alike (a group labelled by its name). */
export function StatCard({ label, value, note }: { label: string; value: ReactNode; note?: ReactNode }) {
  return (
    <Paper withBorder p="sm" radius="md" role="group" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} aria-hidden="true">
        {label}
      </Text>
      <Text size="lg" fw={700} className="num" component="div">
        {value}
      </Text>
      {note ? (
        <Text size="xs" c="dimmed" component="div">
          {note}
        </Text>
      ) : null}
    </Paper>
  );
}

/** `2.35`: a profit factor; none without a loss. */
export function profitFactor(value: string | null): string {
  return value === null ? '—' : Number(value).toFixed(2);
}

/** `3 h 20 min`, `2 d 4 h`: how long positions were held on average. */
export function holdTime(seconds: number | null): string {
  if (seconds === null) return '—';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/**
 * The figures of PRODUCT.md §5 as cards: total P&L, win rate, ROI, profit factor, expectancy,
 * maximum drawdown, biggest win and loss, open positions.
 */
export function StatCards({ statistics }: { statistics: Statistics }) {
  const s = statistics;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm">
      <StatCard
        label="Total P&L"
        value={<Pnl value={s.totalPnl} />}
        note={`${quantity(s.closedPositions)} closed`}
      />
      <StatCard
        label="Win rate"
        value={ratioPercent(s.winRate)}
        note={`${quantity(s.wins)} won · ${quantity(s.losses)} lost`}
      />
      <StatCard
        label="ROI"
        value={s.roi === null ? '—' : signedPercentage(Number(s.roi) * 100)}
        note={`on ${money(s.totalCostBasis)} invested`}
      />
      <StatCard
        label="Profit factor"
        value={profitFactor(s.profitFactor)}
        note={s.profitFactor === null ? 'no losing trade yet' : 'wins ÷ losses'}
      />
      <StatCard label="Expectancy" value={<Pnl value={s.expectancy} />} note="per closed position" />
      <StatCard label="Max drawdown" value={money(s.maxDrawdown)} note="largest fall below a peak" />
      <StatCard
        label="Biggest win"
        value={<Pnl value={s.biggestWin} />}
        note={s.averageWin === null ? null : <>average {money(s.averageWin)}</>}
      />
      <StatCard
        label="Biggest loss"
        value={<Pnl value={s.biggestLoss} />}
        note={s.averageLoss === null ? null : <>average {money(s.averageLoss)}</>}
      />
      <StatCard label="Open positions" value={quantity(s.openPositions)} note="holding contracts now" />
      <StatCard label="Average hold" value={holdTime(s.averageHoldSeconds)} note="open to close" />
    </SimpleGrid>
  );
}
