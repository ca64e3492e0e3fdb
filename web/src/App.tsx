import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, messageOf, type Profile } from './api';
import { Shell } from './components/Shell';
import { SignInForm } from './components/SignInForm';
import { SignUpForm } from './components/SignUpForm';
import { useHashRoute } from './router';

type Session =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'signed-in'; profile: Profile }
  | { kind: 'unreachable'; message: string };

export function App() {
  const [session, setSession] = useState<Session>({ kind: 'loading' });
  const [route, navigate] = useHashRoute();

  // Who is signed in is the server's answer to /api/me: a 401 means nobody.
  const loadSession = useCallback(() => {
    setSession({ kind: 'loading' });
    api.me().then(
      (profile) => setSession({ kind: 'signed-in', profile }),
      (error: unknown) => {
        const nobody = error instanceof ApiError && error.isUnauthenticated;
        setSession(nobody ? { kind: 'signed-out' } : { kind: 'unreachable', message: messageOf(error) });
      },
    );
  }, []);

  useEffect(() => loadSession(), [loadSession]);

  const signedIn = useCallback(
    (profile: Profile) => {
      setSession({ kind: 'signed-in', profile });
      navigate('home');
    },
    [navigate],
  );

  const signedOut = useCallback(() => {
    setSession({ kind: 'signed-out' });
    navigate('sign-in');
  }, [navigate]);

  switch (session.kind) {
    case 'loading':
      return (
        <p className="page-message" role="status">
          Loading…
        </p>
      );
    case 'unreachable':
      return (
        <div className="page-message">
          <p role="alert">{session.message}</p>
          <button type="button" className="button" onClick={loadSession}>
            Try again
          </button>
        </div>
      );
    case 'signed-in':
      return <Shell profile={session.profile} onSignedOut={signedOut} />;
    case 'signed-out':
      return route === 'sign-up' ? (
        <SignUpForm onSignedIn={signedIn} />
      ) : (
        <SignInForm onSignedIn={signedIn} />
      );
  }
}
