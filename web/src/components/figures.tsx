import { Text, VisuallyHidden } from '@mantine/core';
import { directionOf, signedMoney, signedPercentage } from '../lib/format';

const ARROW = { gain: '▲', loss: '▼', flat: '' } as const;
const WORD = { gain: 'gain', loss: 'loss', flat: '' } as const;

/**
 * A profit or loss: its sign, an arrow and (for screen readers) the word, besides the colour,
 * so it reads without colour.
 */
export function Pnl({
  value,
  percent,
  size,
}: {
  value: string | number | null | undefined;
  percent?: string | number | null | undefined;
  size?: string;
}) {
  if (value === null || value === undefined) {
    return (
      <Text span size={size} c="dimmed" className="num">
        —
      </Text>
    );
  }
  const direction = directionOf(value);
  return (
    <Text span size={size} fw={600} className={`num tone-${direction}`}>
      {ARROW[direction] ? <span aria-hidden="true">{ARROW[direction]} </span> : null}
      {signedMoney(value)}
      {percent !== undefined && percent !== null ? ` (${signedPercentage(percent)})` : null}
      {WORD[direction] ? <VisuallyHidden> {WORD[direction]}</VisuallyHidden> : null}
    </Text>
  );
}
