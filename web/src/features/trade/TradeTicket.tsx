import {
  Button,
  Code,
  Divider,
  Fieldset,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { forwardRef } from 'react';
import type { OrderType } from '../../../../src/domain/shared-types';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import { ButtonLink } from '../../components/links';
import { EmptyState, SkeletonRows } from '../../components/states';
import { formatUnits, notional, parseUnits } from '../../lib/decimal';
import { contractName, money, price, quantity } from '../../lib/format';
import { AccountPicker } from '../accounts/AccountPicker';
import { accountKeys, accountsQuery, selectedAccount } from '../accounts/api';
import { tradingBlock } from '../accounts/health';
import { orderKeys } from '../orders/api';
import { positionKeys } from '../positions/api';
import { type ChainContract, placeOrder } from './api';

const ORDER_TYPES: { value: OrderType; label: string }[] = [
  { value: 'Market', label: 'Market' },
  { value: 'Limit', label: 'Limit' },
  { value: 'Stop', label: 'Stop' },
  { value: 'StopLimit', label: 'Stop limit' },
];

const needsLimit = (type: OrderType) => type === 'Limit' || type === 'StopLimit';
const needsStop = (type: OrderType) => type === 'Stop' || type === 'StopLimit';

export type TicketContract = ChainContract & { underlying: string; expiration: string; strike: string };

/** The price per share the order is estimated at, as the server estimates it: its own price, else the ask. */
function estimatePerShare(
  values: { orderType: OrderType; limitPrice: string; stopPrice: string },
  ask: string,
): string | null {
  if (needsLimit(values.orderType)) return values.limitPrice.trim() || null;
  if (needsStop(values.orderType)) return values.stopPrice.trim() || null;
  return ask;
}

function TicketForm({ contract }: { contract: TicketContract }) {
  const queryClient = useQueryClient();
  const accounts = useQuery(accountsQuery());
  const account = selectedAccount(accounts.data);
  const form = useForm({
    initialValues: {
      quantity: 1 as number | string,
      orderType: 'Market' as OrderType,
      limitPrice: '',
      stopPrice: '',
    },
  });
  const { pending, formError, setFormError, submit: send } = useApiSubmit(form);
  const { values } = form;
  const count = Number(values.quantity);
  const perShare = estimatePerShare(values, contract.ask);
  const cost = Number.isInteger(count) && count > 0 ? notional(perShare, count) : null;
  const costUnits = parseUnits(cost);
  const powerUnits = parseUnits(account?.buyingPower);
  const after = costUnits !== null && powerUnits !== null ? formatUnits(powerUnits - costUnits) : null;
  const short = after?.startsWith('-');
  const blocked = account ? tradingBlock(account) !== null : false;

  const submit = send(async (input) => {
    const order = await placeOrder({
      side: 'BTO',
      underlying: contract.underlying,
      optionType: contract.optionType,
      strike: contract.strike,
      expiration: contract.expiration,
      quantity: Number(input.quantity),
      orderType: input.orderType,
      ...(needsLimit(input.orderType) ? { limitPrice: input.limitPrice.trim() } : {}),
      ...(needsStop(input.orderType) ? { stopPrice: input.stopPrice.trim() } : {}),
    });
    await Promise.all(
      [orderKeys.all, positionKeys.all, accountKeys.all].map((queryKey) =>
        queryClient.invalidateQueries({ queryKey }),
      ),
    );
    if (order.status === 'rejected') {
      setFormError(`The broker rejected the order: ${order.statusReason ?? 'no reason given'}`);
      return;
    }
    notifications.show({
      title: order.status === 'filled' ? 'Bought' : 'Order working',
      message:
        order.status === 'filled'
          ? `${quantity(order.filledQuantity)} × ${contractName(order)} at ${price(order.filledPrice)}`
          : `${order.orderType} order for ${quantity(order.quantity)} × ${contractName(order)} is at the broker`,
      color: 'teal',
    });
  });

  if (accounts.isPending) return <SkeletonRows rows={4} label="Loading your account" />;
  if (!account && accounts.data?.some((candidate) => candidate.isActive)) {
    return (
      <Stack gap="sm">
        <AccountPicker label="Trade with" purpose="orders" />
        <Text size="sm">Choose an account that can trade to fill the ticket.</Text>
      </Stack>
    );
  }
  if (!account) {
    return (
      <EmptyState action={<ButtonLink to="/accounts">Open a paper account</ButtonLink>}>
        Select or open an account to trade. A paper account starts with $100,000 of play money.
      </EmptyState>
    );
  }

  return (
    <form onSubmit={submit} aria-busy={pending}>
      <Stack gap="sm">
        <AccountPicker label="Trade with" purpose="orders" />
        <Group gap="xs" justify="space-between" wrap="nowrap">
          <Text size="sm">
            Bid <strong className="num">{price(contract.bid)}</strong> · Ask{' '}
            <strong className="num">{price(contract.ask)}</strong>
          </Text>
          <Code>{contract.symbol}</Code>
        </Group>
        <NumberInput
          label="Contracts"
          description="Whole contracts, 1 to 1,000; one contract is 100 shares."
          min={1}
          max={1000}
          allowDecimal={false}
          allowNegative={false}
          {...announcedError}
          {...form.getInputProps('quantity')}
        />
        <Fieldset legend="Order type" variant="unstyled">
          <SegmentedControl
            fullWidth
            data={ORDER_TYPES}
            value={values.orderType}
            onChange={(value) => form.setFieldValue('orderType', value as OrderType)}
          />
        </Fieldset>
        {needsStop(values.orderType) ? (
          <TextInput
            label="Stop price per share"
            description="The order starts working when the contract trades at this price."
            inputMode="decimal"
            placeholder={contract.ask}
            {...announcedError}
            {...form.getInputProps('stopPrice')}
          />
        ) : null}
        {needsLimit(values.orderType) ? (
          <TextInput
            label="Limit price per share"
            description="The most you pay per share; the order waits until the ask is at or below it."
            inputMode="decimal"
            placeholder={contract.bid}
            {...announcedError}
            {...form.getInputProps('limitPrice')}
          />
        ) : null}
        <Divider />
        <Stack gap={4} aria-live="polite">
          <Text size="sm">
            {price(perShare)} per share · <span className="num">{money(notional(perShare, 1))}</span> per
            contract
          </Text>
          <Text size="sm">
            {Number.isInteger(count) && count > 0 ? quantity(count) : '—'} × {price(perShare)} × 100 ={' '}
            <strong className="num">{money(cost)}</strong> estimated cost
          </Text>
          <Text size="sm" c={short ? 'red.9' : undefined}>
            Buying power {money(account.buyingPower)} → <strong className="num">{money(after)}</strong> after
            {short ? ' (not enough)' : ''}
          </Text>
        </Stack>
        <FormAlert error={formError} />
        <Button type="submit" size="md" disabled={pending || blocked}>
          {pending ? 'Sending…' : `Buy to open`}
        </Button>
      </Stack>
    </form>
  );
}

/** The ticket for the contract picked on the chain: OCC symbol, cost and buying power after, before sending. */
export const TradeTicket = forwardRef<HTMLDivElement, { contract: TicketContract | null }>(
  function TradeTicket({ contract }, ref) {
    return (
      <Paper
        withBorder
        p="md"
        radius="md"
        ref={ref}
        component="section"
        aria-labelledby="ticket-heading"
        // Scrolled to on a phone: its heading clears the fixed header.
        style={{ scrollMarginTop: 72 }}
      >
        <Title order={2} size="h3" id="ticket-heading" mb="xs" tabIndex={-1}>
          {contract ? `Buy ${contractName(contract)}` : 'Ticket'}
        </Title>
        {contract ? (
          <TicketForm key={contract.symbol} contract={contract} />
        ) : (
          <Text c="dimmed" size="sm">
            Pick a strike on the chain to fill the ticket.
          </Text>
        )}
      </Paper>
    );
  },
);
