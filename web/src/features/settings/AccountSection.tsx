import { Alert, Anchor, Button, Group, List, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { messageOf } from '../../api/client';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import { stopLive } from '../../live/stream';
import { deleteMyAccount, EXPORTS, signOutEverywhere } from './api';

function useSignedOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    stopLive();
    queryClient.clear();
    await navigate({ to: '/sign-in' });
  };
}

/** Signing out on every device at once. */
export function SecuritySection() {
  const signedOut = useSignedOut();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [opened, { open, close }] = useDisclosure(false);
  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await signOutEverywhere();
      await signedOut();
    } catch (failure) {
      setError(messageOf(failure));
      setPending(false);
    }
  };
  return (
    <Stack gap="xs" align="flex-start">
      <Text>
        Lost a phone or used a shared computer? Sign out everywhere ends every session of your account, this
        one included.
      </Text>
      <Button variant="default" onClick={open}>
        Sign out everywhere
      </Button>
      <Modal opened={opened} onClose={close} title="Sign out everywhere?">
        <Stack>
          <Text>
            You will be signed out on every device, this one included, and need your password to sign in
            again.
          </Text>
          {error ? (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="red.8" onClick={() => void confirm()} loading={pending}>
              Sign out everywhere
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function DeleteAccountDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const signedOut = useSignedOut();
  const form = useForm({ initialValues: { password: '' } });
  const { pending, formError, submit } = useApiSubmit(form);
  const remove = submit(async ({ password }) => {
    await deleteMyAccount(password);
    await signedOut();
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Delete your account?">
      <form onSubmit={remove} aria-busy={pending}>
        <Stack gap="sm">
          <Text size="sm">Deleting your account cannot be undone:</Text>
          <List size="sm" spacing={4}>
            <List.Item>
              your subscriptions end, and if you are a trader your subscribers are told and stop copying you;
            </List.Item>
            <List.Item>you disappear from the leaderboard and trader profiles;</List.Item>
            <List.Item>brokerage connections are removed and every session ends;</List.Item>
            <List.Item>
              your name, email and profile are erased; orders and positions stay only as anonymous history.
            </List.Item>
          </List>
          <Text size="sm">Export your trades first if you need them.</Text>
          <PasswordInput
            label="Your password"
            description="To confirm it is you."
            autoComplete="current-password"
            required
            data-autofocus
            {...announcedError}
            {...form.getInputProps('password')}
          />
          <FormAlert error={formError} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Keep my account
            </Button>
            <Button type="submit" color="red.8" loading={pending}>
              Delete my account
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** My data: the CSV exports, and deleting the account. */
export function DataSection() {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <Stack gap="md" align="flex-start">
      <Stack gap={4}>
        <Text>
          Download your trades as CSV, with the columns tax and journal tools expect (date, OCC symbol,
          underlying, call/put, strike, expiration, side, quantity, price, fees, P&amp;L, manual or copied,
          source trader).
        </Text>
        <Group gap="md">
          <Anchor href={EXPORTS.orders} download="alertsify-orders.csv">
            Download my orders (CSV)
          </Anchor>
          <Anchor href={EXPORTS.positions} download="alertsify-positions.csv">
            Download my closed positions (CSV)
          </Anchor>
        </Group>
      </Stack>
      <Stack gap={4} align="flex-start">
        <Text fw={600}>Delete my account</Text>
        <Text size="sm">
          Ends your subscriptions and erases your personal details. You will be asked for your password.
        </Text>
        <Button color="red.8" variant="outline" onClick={open}>
          Delete my account…
        </Button>
      </Stack>
      <DeleteAccountDialog opened={opened} onClose={close} />
    </Stack>
  );
}
