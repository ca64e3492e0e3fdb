import type { ReactNode } from 'react';
import { ApiError, api, type Profile } from '../api';
import { useSubmission } from '../use-submission';
import { FormError } from './FormError';
import { HealthStatus } from './HealthStatus';

type Section = {
  title: string;
  description: string;
  /** A real figure the API already knows, shown under the description. */
  fact?: (profile: Profile) => ReactNode;
};

/** What the signed-in home will show. None of it exists yet, and the page says so. */
const UPCOMING: readonly Section[] = [
  {
    title: 'Positions',
    description: 'Your open and closed option positions, with cost basis and profit and loss, arrive soon.',
  },
  {
    title: 'Orders',
    description: 'Placing, following and cancelling buy-to-open and sell-to-close orders arrives soon.',
  },
  {
    title: 'Notifications',
    description: 'Alerts about copied trades and fills arrive soon.',
    fact: (profile) => (
      <>
        Unread: <strong>{profile.unreadNotifications}</strong>
      </>
    ),
  },
];

export function Shell({ profile, onSignedOut }: { profile: Profile; onSignedOut: () => void }) {
  const signOut = useSubmission();
  const displayName = profile.name?.trim() || profile.email;

  const handleSignOut = () => {
    void signOut.run(async () => {
      try {
        await api.signOut();
      } catch (error) {
        // The session had already ended (401): signed out all the same.
        if (!(error instanceof ApiError && error.isUnauthenticated)) throw error;
      }
      onSignedOut();
    });
  };

  return (
    <div className="shell">
      <header className="shell-header">
        <p className="brand">Alertsify</p>
        <div className="shell-user">
          <span className="shell-user-text">
            <span className="shell-user-name">{displayName}</span>
            {displayName !== profile.email ? <span className="shell-user-email">{profile.email}</span> : null}
          </span>
          <button type="button" className="button" onClick={handleSignOut} disabled={signOut.pending}>
            {signOut.pending ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </header>
      <FormError id="sign-out-error" error={signOut.error} />
      <main className="shell-main">
        <h1>Welcome, {displayName}</h1>
        <div className="sections">
          {UPCOMING.map((section) => (
            <section
              key={section.title}
              className="card section"
              aria-labelledby={`section-${section.title}`}
            >
              <h2 id={`section-${section.title}`}>{section.title}</h2>
              <p>{section.description}</p>
              {section.fact ? <p className="section-fact">{section.fact(profile)}</p> : null}
            </section>
          ))}
        </div>
      </main>
      <footer className="shell-footer">
        <HealthStatus />
      </footer>
    </div>
  );
}
