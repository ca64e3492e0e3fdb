import { Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import { AnchorLink } from '../../components/links';
import { AuthLayout } from './AuthLayout';
import { meKey, meQuery, signIn } from './api';

export function SignInPage({ redirectTo }: { redirectTo: string | undefined }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useForm({ initialValues: { email: '', password: '' } });
  const { pending, formError, submit: send } = useApiSubmit(form);

  const submit = send(async (values) => {
    await signIn({ email: values.email.trim(), password: values.password });
    queryClient.removeQueries({ queryKey: meKey });
    await queryClient.fetchQuery(meQuery());
    await navigate({ to: redirectTo?.startsWith('/') ? redirectTo : '/' });
  });

  return (
    <AuthLayout
      title="Sign in"
      footer={
        <>
          New to Alertsify? <AnchorLink to="/sign-up">Create an account</AnchorLink>
        </>
      }
    >
      <form onSubmit={submit} aria-busy={pending} noValidate={false}>
        <Stack gap="md">
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
            autoComplete="current-password"
            required
            {...announcedError}
            {...form.getInputProps('password')}
          />
          <FormAlert error={formError} />
          <Button type="submit" fullWidth disabled={pending}>
            {pending ? 'Signing in…' : 'Sign in'}
          </Button>
          <AnchorLink to="/forgot-password" ta="center" size="sm">
            Forgot your password?
          </AnchorLink>
        </Stack>
      </form>
    </AuthLayout>
  );
}
