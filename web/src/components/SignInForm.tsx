import { type FormEvent, useId, useState } from 'react';
import { api, type Profile } from '../api';
import { hrefOf } from '../router';
import { useSubmission } from '../use-submission';
import { AuthLayout } from './AuthLayout';
import { FormError } from './FormError';
import { TextField } from './TextField';

export function SignInForm({ onSignedIn }: { onSignedIn: (profile: Profile) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { pending, error, run } = useSubmission();
  const errorId = useId();
  const invalid = (field: string) => (error?.field === field ? errorId : undefined);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void run(async () => {
      await api.signIn({ email: email.trim(), password });
      onSignedIn(await api.me());
    });
  };

  return (
    <AuthLayout
      title="Sign in"
      footer={
        <>
          New to Alertsify? <a href={hrefOf('sign-up')}>Create an account</a>
        </>
      }
    >
      <form onSubmit={submit} aria-busy={pending}>
        <TextField
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="email"
          invalidDescribedBy={invalid('email')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          invalidDescribedBy={invalid('password')}
        />
        <FormError id={errorId} error={error} />
        <button type="submit" className="button button--primary" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
