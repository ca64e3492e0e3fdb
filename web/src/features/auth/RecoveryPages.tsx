import { Alert, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, call, client, messageOf } from '../../api/client';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import { AnchorLink, ButtonLink } from '../../components/links';
import { sendVerificationEmail } from '../settings/api';
import { AuthLayout } from './AuthLayout';
import { meKey, requestPasswordReset, resetPassword } from './api';

/** "Forgot password": a reset link by email; the answer is the same whether the address has an account. */
export function ForgotPasswordPage() {
  const form = useForm({ initialValues: { email: '' } });
  const { pending, formError, submit } = useApiSubmit(form);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const send = submit(async ({ email }) => {
    await requestPasswordReset(email.trim());
    setSentTo(email.trim());
  });
  return (
    <AuthLayout
      title="Reset your password"
      footer={
        <>
          Remembered it? <AnchorLink to="/sign-in">Sign in</AnchorLink>
        </>
      }
    >
      {sentTo ? (
        <Stack gap="sm" role="status">
          <Text>
            If <strong>{sentTo}</strong> has an Alertsify account, a link to choose a new password is on its
            way. It works once, within an hour.
          </Text>
          <Text size="sm" c="dimmed">
            Nothing arrived? Check the spam folder, or ask again in a minute.
          </Text>
        </Stack>
      ) : (
        <form onSubmit={send} aria-busy={pending}>
          <Stack gap="md">
            <Text size="sm">
              Enter the email address of your account and we will email you a link to choose a new password.
            </Text>
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              required
              {...announcedError}
              {...form.getInputProps('email')}
            />
            <FormAlert error={formError} />
            <Button type="submit" fullWidth loading={pending}>
              Email me a reset link
            </Button>
          </Stack>
        </form>
      )}
    </AuthLayout>
  );
}

/** The page the reset link opens: a new password, then sign in (every session was ended). */
export function ResetPasswordPage({ token }: { token: string | undefined }) {
  const form = useForm({
    initialValues: { newPassword: '', repeat: '' },
    validate: {
      repeat: (value, values) => (value === values.newPassword ? null : 'The two passwords differ'),
    },
  });
  const { pending, formError, submit } = useApiSubmit(form);
  const [done, setDone] = useState(false);
  const save = submit(async ({ newPassword }) => {
    await resetPassword({ token: token ?? '', newPassword });
    setDone(true);
  });
  const footer = (
    <>
      Need a new link? <AnchorLink to="/forgot-password">Ask again</AnchorLink>
    </>
  );
  if (!token) {
    return (
      <AuthLayout title="Choose a new password" footer={footer}>
        <Alert color="red" variant="light" role="alert">
          This page needs the link from your reset email. Ask for a new one.
        </Alert>
      </AuthLayout>
    );
  }
  if (done) {
    return (
      <AuthLayout title="Password changed" footer={footer}>
        <Stack gap="md" align="flex-start" role="status">
          <Text>
            Your password is changed and every device was signed out. Sign in with the new password.
          </Text>
          <ButtonLink to="/sign-in">Sign in</ButtonLink>
        </Stack>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Choose a new password" footer={footer}>
      <form onSubmit={save} aria-busy={pending}>
        <Stack gap="md">
          <TextInput
            label="New password"
            description="At least 8 characters."
            type="password"
            autoComplete="new-password"
            required
            {...announcedError}
            {...form.getInputProps('newPassword')}
          />
          <TextInput
            label="New password again"
            type="password"
            autoComplete="new-password"
            required
            {...announcedError}
            {...form.getInputProps('repeat')}
          />
          <FormAlert error={formError} />
          <Button type="submit" fullWidth loading={pending}>
            Save the new password
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}

/** Where the confirmation link lands: confirmed, or why not, with a new link for the signed-in. */
export function VerifyEmailPage({ failed }: { failed: boolean }) {
  const queryClient = useQueryClient();
  // Confirming changed the profile: read it afresh. Nobody signed in (401) is an answer here,
  // not the end of a session (the link may be opened in another browser).
  const me = useQuery({
    queryKey: ['verify-email', 'me'],
    queryFn: async () => {
      try {
        return await call(client.GET('/api/me'));
      } catch (error) {
        if (error instanceof ApiError && error.isUnauthenticated) return null;
        throw error;
      }
    },
    staleTime: 0,
  });
  const resend = useMutation({ mutationFn: sendVerificationEmail });
  const profile = me.data ?? null;
  const signedIn = profile !== null;
  const confirmed = profile ? profile.emailVerified : !failed;
  const next = signedIn ? (
    <ButtonLink to="/" onClick={() => void queryClient.invalidateQueries({ queryKey: meKey })}>
      Continue to Alertsify
    </ButtonLink>
  ) : (
    <ButtonLink to="/sign-in">Sign in</ButtonLink>
  );
  if (me.isPending) {
    return (
      <AuthLayout title="Confirming your email" footer={null}>
        <Text role="status">Checking…</Text>
      </AuthLayout>
    );
  }
  if (confirmed) {
    return (
      <AuthLayout title="Email confirmed" footer={null}>
        <Stack gap="md" align="flex-start" role="status">
          <Text>
            Thank you: your email address{profile ? ` ${profile.email}` : ''} is confirmed. You can now become
            a trader and get notifications by email.
          </Text>
          {next}
        </Stack>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="This link did not work" footer={null}>
      <Stack gap="md" align="flex-start">
        <Alert color="red" variant="light" role="alert">
          The confirmation link is used, expired (links work for 24 hours) or not ours.
        </Alert>
        {signedIn ? (
          <>
            <Button onClick={() => resend.mutate()} loading={resend.isPending} disabled={resend.isSuccess}>
              {resend.isSuccess ? 'Link sent' : 'Email me a new link'}
            </Button>
            {resend.isSuccess ? (
              <Text role="status">A new link is on its way to {profile?.email}.</Text>
            ) : null}
            {resend.isError ? (
              <Text c="red.8" role="alert">
                {messageOf(resend.error)}
              </Text>
            ) : null}
          </>
        ) : (
          <Text>Sign in and ask for a new link in Settings.</Text>
        )}
        {next}
      </Stack>
    </AuthLayout>
  );
}
