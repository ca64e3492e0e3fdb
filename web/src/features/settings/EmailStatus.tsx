import { Alert, Button, Group, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { messageOf } from '../../api/client';
import type { Profile } from '../auth/api';
import { sendVerificationEmail } from './api';

/** Whether my email address is confirmed, and a new link when it is not. */
export function EmailStatus({ profile }: { profile: Profile }) {
  const resend = useMutation({ mutationFn: sendVerificationEmail });
  if (profile.emailVerified) {
    return (
      <Text>
        {profile.email}{' '}
        <Text span c="teal.9" fw={600}>
          · confirmed
        </Text>
      </Text>
    );
  }
  return (
    <Alert color="yellow" variant="light" title="Confirm your email address">
      <Text size="sm">
        We sent a link to <strong>{profile.email}</strong>. Open it to confirm the address: you need a
        confirmed address to become a trader and to get notifications by email.
      </Text>
      <Group mt="xs" gap="xs">
        <Button
          size="xs"
          variant="default"
          onClick={() => resend.mutate()}
          loading={resend.isPending}
          disabled={resend.isSuccess}
        >
          {resend.isSuccess ? 'Link sent' : 'Send a new link'}
        </Button>
        {resend.isSuccess ? (
          <Text size="sm" role="status">
            A new link is on its way to {profile.email}.
          </Text>
        ) : null}
        {resend.isError ? (
          <Text size="sm" c="red.8" role="alert">
            {messageOf(resend.error)}
          </Text>
        ) : null}
      </Group>
    </Alert>
  );
}
