import { Button, Group, NumberInput, Paper, Stack, Switch, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import type { SubscriptionSettingsInput } from './api';

export type SettingsValues = {
  autoExecute: boolean;
  scalingFactor: number | string;
  maxPositionSize: number | string;
  maxDailyTrades: number | string;
};

/** PRODUCT.md §3's defaults. */
export const DEFAULT_SETTINGS: SettingsValues = {
  autoExecute: false,
  scalingFactor: 1,
  maxPositionSize: 10,
  maxDailyTrades: 5,
};

/** The API names a setting `settings.scalingFactor`; beside the field it goes. */
const FIELD_ALIASES = {
  'settings.autoExecute': 'autoExecute',
  'settings.scalingFactor': 'scalingFactor',
  'settings.maxPositionSize': 'maxPositionSize',
  'settings.maxDailyTrades': 'maxDailyTrades',
};

/** What a copy of a trader's buy of `traderQuantity` comes to: floor(quantity × scaling), capped. */
export function copiedQuantity(traderQuantity: number, values: SettingsValues): number | null {
  const scaling = Number(values.scalingFactor);
  const cap = Number(values.maxPositionSize);
  if (!Number.isFinite(scaling) || scaling <= 0 || !Number.isInteger(cap) || cap < 1) return null;
  // Two decimals at most: the product is worked in hundredths so 10 × 0.29 is 2.9, not 2.8999….
  return Math.min(Math.floor((traderQuantity * Math.round(scaling * 100)) / 100), cap);
}

function Preview({ values }: { values: SettingsValues }) {
  const lines = [10, 3].map((bought) => {
    const copy = copiedQuantity(bought, values);
    if (copy === null) return null;
    if (copy < 1) return `When this trader buys ${bought}, you buy nothing (less than one contract).`;
    return `When this trader buys ${bought}, you buy ${copy}.`;
  });
  return (
    <Paper withBorder p="sm" bg="gray.0" aria-live="polite">
      <Text size="sm" fw={600}>
        Preview
      </Text>
      {lines.map((line) =>
        line ? (
          <Text size="sm" key={line}>
            {line}
          </Text>
        ) : null,
      )}
      <Text size="sm">
        {values.autoExecute
          ? 'Copies are placed at once, without asking you.'
          : 'Each copy waits for your approval for 15 minutes, then lapses.'}
      </Text>
    </Paper>
  );
}

export function toSettingsInput(values: SettingsValues): SubscriptionSettingsInput {
  return {
    autoExecute: values.autoExecute,
    scalingFactor: Number(values.scalingFactor),
    maxPositionSize: Number(values.maxPositionSize),
    maxDailyTrades: Number(values.maxDailyTrades),
  };
}

/** Each setting with its meaning in words beside it, and a preview of what a copy comes to. */
export function SubscriptionSettingsForm({
  initial,
  submitLabel,
  pendingLabel,
  onSubmit,
  onCancel,
}: {
  initial: SettingsValues;
  submitLabel: string;
  pendingLabel: string;
  onSubmit: (settings: SubscriptionSettingsInput) => Promise<void>;
  onCancel?: () => void;
}) {
  const form = useForm<SettingsValues>({ initialValues: initial });
  const { pending, formError, submit: send } = useApiSubmit(form, FIELD_ALIASES);
  const submit = send(async (values) => {
    await onSubmit(toSettingsInput(values));
  });
  return (
    <form onSubmit={submit} aria-busy={pending}>
      <Stack gap="md">
        <Switch
          label="Copy automatically"
          description="On: copies are placed at once. Off: each copy asks you first and lapses after 15 minutes."
          {...form.getInputProps('autoExecute', { type: 'checkbox' })}
        />
        <NumberInput
          label="Scaling"
          description="Your quantity is the trader's times this, rounded down: 0.5 buys half. From 0.01 to 10."
          min={0.01}
          max={10}
          step={0.1}
          decimalScale={2}
          {...announcedError}
          {...form.getInputProps('scalingFactor')}
        />
        <NumberInput
          label="Most contracts per copied trade"
          description="A copy never buys more than this, whatever the trader buys. From 1 to 1,000."
          min={1}
          max={1000}
          allowDecimal={false}
          {...announcedError}
          {...form.getInputProps('maxPositionSize')}
        />
        <NumberInput
          label="Most copied openings a day"
          description="New positions copied per trading day (New York time); closing copies are never blocked. From 1 to 100."
          min={1}
          max={100}
          allowDecimal={false}
          {...announcedError}
          {...form.getInputProps('maxDailyTrades')}
        />
        <Preview values={form.values} />
        <FormAlert error={formError} />
        <Group justify="flex-end">
          {onCancel ? (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
          <Button type="submit" disabled={pending}>
            {pending ? pendingLabel : submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
