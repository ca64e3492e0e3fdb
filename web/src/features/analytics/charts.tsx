/**
 * The analytics charts (recharts). Each is a <figure>: the picture is hidden from screen readers,
 * a caption says what it shows in a sentence, and a table of its figures sits behind a
 * "Show the figures" disclosure for anyone who wants the numbers.
 */
import { Box, Table, Text, UnstyledButton } from '@mantine/core';
import { type ReactNode, useId, useState } from 'react';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Pnl } from '../../components/figures';
import { calendarDate, directionOf, quantity, signedMoney } from '../../lib/format';
import type { CurvePoint, DailyPnl, HeatmapCell } from './api';
import './analytics.css';

const GAIN = '#1b7a3d';
const LOSS = '#b3261e';
const LINE = '#1864ab';

const compactUsd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});

/** `+$1.2K` for an axis or a small cell, with the typographic minus. */
export function compactMoney(value: string | number): string {
  return compactUsd.format(Number(value)).replace('-', '\u2212');
}

/** `Mar 3`: a date on an axis. */
function shortDate(date: string): string {
  return calendarDate(date).replace(/, \d{4}$/, '');
}

/** A chart with its caption, and its figures as a table behind a disclosure. */
export function ChartFigure({
  caption,
  height,
  chart,
  table,
}: {
  caption: string;
  height: number;
  chart: ReactNode;
  table: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const tableId = useId();
  return (
    <Box component="figure" m={0}>
      <Box aria-hidden="true" h={height} data-chart>
        {chart}
      </Box>
      <Text component="figcaption" size="sm" c="dimmed" mt={4}>
        {caption}{' '}
        <UnstyledButton
          onClick={() => setOpen((was) => !was)}
          aria-expanded={open}
          aria-controls={tableId}
          fz="sm"
          c="blue.8"
          td="underline"
        >
          {open ? 'Hide the figures' : 'Show the figures'}
        </UnstyledButton>
      </Text>
      <Box id={tableId} hidden={!open} mt="xs">
        {open ? table : null}
      </Box>
    </Box>
  );
}

function moneyTick(value: number): string {
  return compactMoney(value);
}

/** The cumulative realised P&L at the end of each day with a close. */
export function CurveChart({ points, label }: { points: CurvePoint[]; label: string }) {
  const data = points.map((point) => ({ ...point, value: Number(point.cumulativePnl) }));
  const last = points.at(-1);
  const first = points[0];
  const caption =
    last && first
      ? `${label} from ${calendarDate(first.date)} to ${calendarDate(last.date)}: ${signedMoney(last.cumulativePnl)} at the end.`
      : label;
  return (
    <ChartFigure
      caption={caption}
      height={240}
      chart={
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="date" tickFormatter={shortDate} minTickGap={24} fontSize={12} />
            <YAxis tickFormatter={moneyTick} width={64} fontSize={12} />
            <ReferenceLine y={0} stroke="#868e96" />
            <Tooltip
              formatter={(value) => [signedMoney(Number(value)), 'Cumulative P&L']}
              labelFormatter={(date) => calendarDate(String(date))}
            />
            <Area
              type="monotone"
              dataKey="value"
              stroke={LINE}
              fill={LINE}
              fillOpacity={0.12}
              strokeWidth={2}
              // A curve of a day or two is hardly a line: its points show.
              dot={points.length <= 2}
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      }
      table={
        <Table.ScrollContainer minWidth={0} type="native" mah={320} tabIndex={0}>
          <Table striped verticalSpacing={4} fz="sm">
            <Table.Caption>{label}, day by day</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Day</Table.Th>
                <Table.Th className="num">P&amp;L that day</Table.Th>
                <Table.Th className="num">Cumulative</Table.Th>
                <Table.Th className="num">Below peak</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {points.map((point) => (
                <Table.Tr key={point.date}>
                  <Table.Td>{calendarDate(point.date)}</Table.Td>
                  <Table.Td className="num">
                    <Pnl value={point.pnl} />
                  </Table.Td>
                  <Table.Td className="num">
                    <Pnl value={point.cumulativePnl} />
                  </Table.Td>
                  <Table.Td className="num">{signedMoney(point.drawdown)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      }
    />
  );
}

function DailyTable({ daily }: { daily: DailyPnl }) {
  return (
    <Table.ScrollContainer minWidth={0} type="native" mah={320} tabIndex={0}>
      <Table striped verticalSpacing={4} fz="sm">
        <Table.Caption>
          Realised P&amp;L per day, {calendarDate(daily.from)} to {calendarDate(daily.to)}
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Day</Table.Th>
            <Table.Th className="num">Closed</Table.Th>
            <Table.Th className="num">P&amp;L</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {daily.entries.map((entry) => (
            <Table.Tr key={entry.date}>
              <Table.Td>{calendarDate(entry.date)}</Table.Td>
              <Table.Td className="num">{quantity(entry.closedPositions)}</Table.Td>
              <Table.Td className="num">
                <Pnl value={entry.pnl} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Daily realised P&L as bars: green up, red down. */
export function DailyBars({ daily }: { daily: DailyPnl }) {
  const data = daily.entries.map((entry) => ({ ...entry, value: Number(entry.pnl) }));
  return (
    <ChartFigure
      caption={`Realised P&L on each day with a close, ${calendarDate(daily.from)} to ${calendarDate(daily.to)}: ${signedMoney(daily.totals.pnl)} over ${quantity(daily.entries.length)} days.`}
      height={220}
      chart={
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="date" tickFormatter={shortDate} minTickGap={24} fontSize={12} />
            <YAxis tickFormatter={moneyTick} width={64} fontSize={12} />
            <ReferenceLine y={0} stroke="#868e96" />
            <Tooltip
              formatter={(value) => [signedMoney(Number(value)), 'P&L']}
              labelFormatter={(date) => calendarDate(String(date))}
            />
            <Bar dataKey="value" isAnimationActive={false}>
              {data.map((entry) => (
                <Cell key={entry.date} fill={entry.value >= 0 ? GAIN : LOSS} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      }
      table={<DailyTable daily={daily} />}
    />
  );
}

// ---- Calendar --------------------------------------------------------------------------------

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const monthName = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

function utc(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A cell's shade: stronger for a bigger day, relative to the biggest day shown. */
function shade(pnl: number, biggest: number): string {
  if (pnl === 0 || biggest === 0) return 'var(--mantine-color-gray-1)';
  const strength = 0.1 + 0.4 * Math.min(1, Math.abs(pnl) / biggest);
  const rgb = pnl > 0 ? '27, 122, 61' : '179, 38, 30';
  return `rgba(${rgb}, ${strength.toFixed(2)})`;
}

/** The months of the range as calendars (Monday first), each day tinted by its P&L. */
export function DailyCalendar({ daily }: { daily: DailyPnl }) {
  const byDate = new Map(daily.entries.map((entry) => [entry.date, entry]));
  const biggest = Math.max(0, ...daily.entries.map((entry) => Math.abs(Number(entry.pnl))));
  const months: Date[] = [];
  const start = utc(daily.from);
  for (
    let month = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
    month <= utc(daily.to);
    month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))
  ) {
    months.push(month);
  }
  return (
    <Box style={{ display: 'flex', flexWrap: 'wrap', gap: 'var(--mantine-spacing-md)' }}>
      {months.map((month) => {
        const days = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0)).getUTCDate();
        const offset = (month.getUTCDay() + 6) % 7;
        const cells: (string | null)[] = [
          ...Array.from({ length: offset }, () => null),
          ...Array.from({ length: days }, (_, day) =>
            isoDate(new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), day + 1))),
          ),
        ];
        const weeks: (string | null)[][] = [];
        for (let index = 0; index < cells.length; index += 7) weeks.push(cells.slice(index, index + 7));
        return (
          <table key={isoDate(month)} className="pnl-calendar">
            <caption>{monthName.format(month)}</caption>
            <thead>
              <tr>
                {WEEKDAYS.map((day) => (
                  <th key={day} scope="col">
                    {day}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeks.map((week) => (
                <tr key={week.find(Boolean) ?? ''}>
                  {Array.from({ length: 7 }, (_, index) => {
                    const date = week[index] ?? null;
                    // biome-ignore lint/suspicious/noArrayIndexKey: a blank before the 1st is only its place in the week
                    if (!date) return <td key={`blank-${index}`} />;
                    const entry = byDate.get(date);
                    const inRange = date >= daily.from && date <= daily.to;
                    const title = entry
                      ? `${calendarDate(date)}: ${signedMoney(entry.pnl)}, ${quantity(entry.closedPositions)} closed`
                      : calendarDate(date);
                    return (
                      <td
                        key={date}
                        title={title}
                        style={{
                          background: entry ? shade(Number(entry.pnl), biggest) : undefined,
                          opacity: inRange ? 1 : 0.4,
                        }}
                      >
                        <span aria-hidden="true">{Number(date.slice(8))}</span>
                        <span className="visually-hidden">{title}</span>
                        {entry ? (
                          <span
                            aria-hidden="true"
                            className={`pnl-calendar-mark tone-${directionOf(entry.pnl)}`}
                          >
                            {directionOf(entry.pnl) === 'loss'
                              ? '▼'
                              : directionOf(entry.pnl) === 'gain'
                                ? '▲'
                                : '•'}
                          </span>
                        ) : null}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
    </Box>
  );
}

// ---- Heatmap ---------------------------------------------------------------------------------

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function hourLabel(hour: number): string {
  const suffix = hour < 12 ? 'am' : 'pm';
  return `${hour % 12 === 0 ? 12 : hour % 12}${suffix}`;
}

/**
 * P&L by weekday (rows) and Eastern hour of the close (columns): the market's hours always, any
 * other hour with a close too; the weekend only when something closed then.
 */
export function Heatmap({ cells }: { cells: HeatmapCell[] }) {
  const byKey = new Map(cells.map((cell) => [`${cell.weekday}-${cell.hour}`, cell]));
  const hours = [...new Set([9, 10, 11, 12, 13, 14, 15, 16, ...cells.map((cell) => cell.hour)])].sort(
    (a, b) => a - b,
  );
  const weekdays = [1, 2, 3, 4, 5, ...[6, 7].filter((day) => cells.some((cell) => cell.weekday === day))];
  const biggest = Math.max(0, ...cells.map((cell) => Math.abs(Number(cell.pnl))));
  return (
    // Focusable, so that a keyboard scrolls it where it is wider than the screen.
    <Table.ScrollContainer
      minWidth={0}
      type="native"
      tabIndex={0}
      role="region"
      aria-label="P&L by weekday and hour"
    >
      <table className="pnl-heatmap">
        <caption className="visually-hidden">
          Realised P&amp;L and closed positions by weekday and hour of the close, New York time
        </caption>
        <thead>
          <tr>
            <td />
            {hours.map((hour) => (
              <th key={hour} scope="col">
                {hourLabel(hour)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weekdays.map((weekday) => (
            <tr key={weekday}>
              <th scope="row">
                <abbr title={WEEKDAY_NAMES[weekday - 1]}>{WEEKDAY_NAMES[weekday - 1]?.slice(0, 3)}</abbr>
              </th>
              {hours.map((hour) => {
                const cell = byKey.get(`${weekday}-${hour}`);
                const words = cell
                  ? `${signedMoney(cell.pnl)}, ${quantity(cell.closedPositions)} closed`
                  : 'nothing closed';
                return (
                  <td
                    key={hour}
                    title={`${WEEKDAY_NAMES[weekday - 1]} ${hourLabel(hour)}: ${words}`}
                    style={{ background: cell ? shade(Number(cell.pnl), biggest) : undefined }}
                  >
                    {cell ? (
                      <>
                        <span className="num">{compactMoney(cell.pnl)}</span>
                        <span className="pnl-heatmap-count">{quantity(cell.closedPositions)}×</span>
                        <span className="visually-hidden">closed</span>
                      </>
                    ) : (
                      <span className="visually-hidden">nothing closed</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </Table.ScrollContainer>
  );
}
