import {
  Button,
  Code,
  Fieldset,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { Pnl } from '../../components/figures';
import { announcedError } from '../../components/form-errors';
import { notional, unrealisedPnl } from '../../lib/decimal';
import { contractName, money, price, quantity } from '../../lib/format';
import { accountKeys } from '../accounts/api';
import { isWorking, orderKeys } from '../orders/api';
import { type ContractQuote, placeOrder } from '../trade/api';
import { type Position, positionKeys, positionQuery } from './api';

type CloseType = 'Market' | 'Limit';

/** What can still be sold: held contracts less those already committed to working sells. */
function availableToClose(position: Position, committed: number): number {
  return Math.max(0, position.openQuantity - committed);
}

function CloseForm({
  position,
  mark,
  onDone,
}: {
  position: Position;
  mark: ContractQuote | null;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const detail = useQuery(positionQuery(position.id));
  const committed =
    detail.data?.orders
      .filter((order) => order.side === 'STC' && isWorking(order))
      .reduce((sum, order) => sum + (order.quantity - order.filledQuantity), 0) ?? 0;
  const available = availableToClose(position, committed);
  const form = useForm({
    initialValues: {
      quantity: position.openQuantity as number | string,
      orderType: 'Market' as CloseType,
      limitPrice: '',
    },
  });
  const { pending, formError, setFormError, submit: send } = useApiSubmit(form);
  // The detail arrives after the dialog opens: start once at everything that is available.
  const started = useRef(false);
  useEffect(() => {
    if (!detail.data || started.current) return;
    started.current = true;
    form.setFieldValue('quantity', available);
  });

  const count =
    typeof form.values.quantity === 'number' ? form.values.quantity : Number(form.values.quantity);
  const perShare = form.values.orderType === 'Limit' ? form.values.limitPrice : (mark?.bid ?? null);
  const proceeds = Number.isInteger(count) ? notional(perShare, count) : null;
  const pnl = Number.isInteger(count) ? unrealisedPnl(perShare, position.averageEntryPrice, count) : null;

  const submit = send(async (values) => {
    const order = await placeOrder({
      side: 'STC',
      positionId: position.id,
      quantity: Number(values.quantity),
      orderType: values.orderType,
      ...(values.orderType === 'Limit' ? { limitPrice: values.limitPrice.trim() } : {}),
    });
    await Promise.all(
      [orderKeys.all, positionKeys.all, accountKeys.all].map((queryKey) =>
        queryClient.invalidateQueries({ queryKey }),
      ),
    );
    if (order.status === 'rejected') {
      setFormError(order.statusReason ?? 'The broker rejected the order');
      return;
    }
    notifications.show({
      title: order.status === 'filled' ? 'Sold' : 'Sell order working',
      message: `${quantity(order.filledQuantity)} of ${quantity(order.quantity)} sold · ${contractName(order)}`,
      color: 'teal',
    });
    onDone();
  });

  return (
    <form onSubmit={submit} aria-busy={pending}>
      <Stack gap="md">
        <Text size="sm">
          <Code>{position.symbol}</Code> · average entry {price(position.averageEntryPrice)}
        </Text>
        <Text size="sm" aria-live="polite">
          {detail.isPending
            ? 'Checking what is available to close…'
            : `${quantity(available)} of ${quantity(position.openQuantity)} available to close${committed > 0 ? ` (${quantity(committed)} already in working sell orders)` : ''}.`}
        </Text>
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <NumberInput
            label="Contracts to sell"
            min={1}
            max={Math.max(available, 1)}
            allowDecimal={false}
            allowNegative={false}
            style={{ flex: 1 }}
            {...announcedError}
            {...form.getInputProps('quantity')}
          />
          <Button
            variant="default"
            onClick={() => form.setFieldValue('quantity', Math.max(1, Math.ceil(available / 2)))}
          >
            Half
          </Button>
          <Button variant="default" onClick={() => form.setFieldValue('quantity', available)}>
            All
          </Button>
        </Group>
        <Fieldset legend="Order type" variant="unstyled">
          <SegmentedControl
            fullWidth
            data={['Market', 'Limit']}
            value={form.values.orderType}
            onChange={(value) => form.setFieldValue('orderType', value as CloseType)}
          />
        </Fieldset>
        {form.values.orderType === 'Limit' ? (
          <TextInput
            label="Limit price per share"
            inputMode="decimal"
            placeholder={mark?.bid ?? '0.00'}
            {...announcedError}
            {...form.getInputProps('limitPrice')}
          />
        ) : null}
        <Stack gap={2}>
          <Text size="sm">
            Estimated proceeds: <strong className="num">{money(proceeds)}</strong>
            {form.values.orderType === 'Market' ? ` at the bid ${price(mark?.bid)}` : ''}
          </Text>
          <Text size="sm">
            Estimated realised P&amp;L: <Pnl value={pnl} />
          </Text>
        </Stack>
        <FormAlert error={formError} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Keep it
          </Button>
          <Button type="submit" color="red.9" disabled={pending || available === 0}>
            {pending ? 'Selling…' : 'Sell to close'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Close part or all of a position: focus stays in the dialog, Escape closes it, focus returns. */
export function ClosePositionDialog({
  position,
  mark,
  onClose,
}: {
  position: Position | null;
  mark: ContractQuote | null;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={position !== null}
      onClose={onClose}
      title={position ? `Close ${contractName(position)}` : ''}
      size="md"
    >
      {position ? <CloseForm key={position.id} position={position} mark={mark} onDone={onClose} /> : null}
    </Modal>
  );
}
