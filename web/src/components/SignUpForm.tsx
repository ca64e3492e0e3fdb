import { type FormEvent, useId, useState } from 'react';
import { api, type Profile } from '../api';
import { hrefOf } from '../router';
import { useSubmission } from '../use-submission';
import { AuthLayout } from './AuthLayout';
import { FormError } from './FormError';
import { TextField } from './TextField';

/** The server's limits (better-auth emailAndPassword settings), checked by the browser first. */
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;

export function SignUpForm({ onSignedIn }: { onSignedIn: (profile: Profile) => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { pending, error, run } = useSubmission();
  const errorId = useId();
  const invalid = (field: string) => (error?.field === field ? errorId : undefined);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void run(async () => {
      // Signing up also signs in: the answer carries the session cookie.
      await api.signUp({ name: name.trim(), email: email.trim(), password });
      onSignedIn(await api.me());
    });
  };

  return (
    <AuthLayout
      title="Create your account"
      footer={
        <>
          Already have an account? <a href={hrefOf('sign-in')}>Sign in</a>
        </>
      }
    >
      <form onSubmit={submit} aria-busy={pending}>
        <TextField
          label="Name"
          name="name"
          type="text"
          value={name}
          onChange={setName}
          autoComplete="name"
          invalidDescribedBy={invalid('name')}
        />
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
          autoComplete="new-password"
          minLength={PASSWORD_MIN_LENGTH}
          maxLength={PASSWORD_MAX_LENGTH}
          hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
          invalidDescribedBy={invalid('password')}
        />
        <FormError id={errorId} error={error} />
        <button type="submit" className="button button--primary" disabled={pending}>
          {pending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
