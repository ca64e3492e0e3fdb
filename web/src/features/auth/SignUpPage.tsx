import { Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import { AnchorLink } from '../../components/links';
import { AuthLayout } from './AuthLayout';
import { meKey, meQuery, signUp } from './api';

/** The server's limits (better-auth emailAndPassword settings), checked by the browser first. */
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;

export function SignUpPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useForm({ initialValues: { name: '', email: '', password: '' } });
  const { pending, formError, submit: send } = useApiSubmit(form);

  const submit = send(async (values) => {
    // Signing up also signs in: the answer carries the session cookie.
    await signUp({ name: values.name.trim(), email: values.email.trim(), password: values.password });
    queryClient.removeQueries({ queryKey: meKey });
    await queryClient.fetchQuery(meQuery());
    await navigate({ to: '/' });
  });

  return (
    <AuthLayout
      title="Create your account"
      footer={
        <>
          Already have an account? <AnchorLink to="/sign-in">Sign in</AnchorLink>
        </>
      }
    >
      <form onSubmit={submit} aria-busy={pending}>
        <Stack gap="md">
          <TextInput
            label="Name"
            autoComplete="name"
            required
            {...announcedError}
            {...form.getInputProps('name')}
          />
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            {...announcedError}
            {...form.getInputProps('email')}
          />
          <TextInput
            label="Password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            maxLength={PASSWORD_MAX_LENGTH}
            description={`At least ${PASSWORD_MIN_LENGTH} characters.`}
            {...announcedError}
            {...form.getInputProps('password')}
          />
          <FormAlert error={formError} />
          <Button type="submit" fullWidth disabled={pending}>
            {pending ? 'Creating account…' : 'Create account'}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
