/**
 * A trader's fill as a Discord message (PRODUCT.md §4): one embed with the contract, quantity,
 * entry, exit and P&L. Discord's webhook body: https://discord.com/developers/docs/resources/webhook
 */
import { Dec, toCents, toFixedString } from './money';
import type { TradeSide } from './vocabulary';

export type DiscordFill = {
  side: TradeSide;
  /** In words: `AAPL 150 C 2030-01-18`. */
  contract: string;
  /** The OCC symbol. */
  symbol: string;
  filledQuantity: number;
  quantity: number;
  /** Price per share of this fill. */
  fillPrice: string;
  /** The position's average entry per share (for a sale: what the contracts sold had cost). */
  averageEntry: string | null;
  /** A sale's realised P&L in dollars (× 100 per contract), and in percent of its entry. */
  pnl: string | null;
  pnlPercent: string | null;
  filledAt: Date;
};

type EmbedField = { name: string; value: string; inline: boolean };

export type DiscordMessage = {
  username: string;
  /** Nothing in a fill may ping anyone, whatever text it carries. */
  allowed_mentions: { parse: [] };
  embeds: Array<{
    title: string;
    description: string;
    color: number;
    fields: EmbedField[];
    timestamp: string;
  }>;
};

const GREEN = 0x2e7d32;
const RED = 0xc62828;
const BLUE = 0x1565c0;

function dollars(value: string): string {
  const amount = new Dec(value);
  const sign = amount.isNegative() ? '−' : amount.isZero() ? '' : '+';
  return `${sign}$${toCents(amount.abs())}`;
}

const perShare = (value: string) => `$${toCents(value)}`;

function percent(value: string): string {
  const amount = new Dec(value);
  const sign = amount.isNegative() ? '−' : amount.isZero() ? '' : '+';
  return `${sign}${toFixedString(amount.abs(), 1)}%`;
}

export function discordFillMessage(fill: DiscordFill): DiscordMessage {
  const sale = fill.side === 'STC';
  const quantity =
    fill.filledQuantity === fill.quantity ? `${fill.quantity}` : `${fill.filledQuantity} of ${fill.quantity}`;
  const entry = sale ? fill.averageEntry : fill.fillPrice;
  const pnl =
    sale && fill.pnl !== null
      ? `${dollars(fill.pnl)}${fill.pnlPercent !== null ? ` (${percent(fill.pnlPercent)})` : ''}`
      : '—';
  const color = !sale ? BLUE : fill.pnl !== null && new Dec(fill.pnl).isNegative() ? RED : GREEN;
  return {
    username: 'Alertsify',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: `${sale ? 'Sold to close' : 'Bought to open'} ${fill.contract}`,
        description: `${fill.side} ${quantity} × ${fill.symbol} @ ${perShare(fill.fillPrice)}`,
        color,
        fields: [
          { name: 'Contract', value: fill.contract, inline: true },
          { name: 'Quantity', value: quantity, inline: true },
          { name: 'Entry', value: entry === null ? '—' : perShare(entry), inline: true },
          { name: 'Exit', value: sale ? perShare(fill.fillPrice) : '—', inline: true },
          { name: 'P&L', value: pnl, inline: true },
        ],
        timestamp: fill.filledAt.toISOString(),
      },
    ],
  };
}
