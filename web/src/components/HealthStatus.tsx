import { useEffect, useState } from 'react';
import { api, type Health, messageOf } from '../api';

type HealthState =
  | { kind: 'checking' }
  | { kind: 'known'; health: Health }
  | { kind: 'unreachable'; message: string };

/** One line saying whether the API and its database answer, checked when the shell opens. */
export function HealthStatus() {
  const [state, setState] = useState<HealthState>({ kind: 'checking' });
  useEffect(() => {
    let current = true;
    api.health().then(
      (health) => current && setState({ kind: 'known', health }),
      (error: unknown) => current && setState({ kind: 'unreachable', message: messageOf(error) }),
    );
    return () => {
      current = false;
    };
  }, []);

  let text: string;
  let tone: 'ok' | 'warn' | 'neutral';
  if (state.kind === 'checking') {
    text = 'Checking the API…';
    tone = 'neutral';
  } else if (state.kind === 'unreachable') {
    text = `API unreachable: ${state.message}`;
    tone = 'warn';
  } else {
    const { status, database, version } = state.health;
    text = `API ${status} · database: ${database} · version ${version}`;
    tone = status === 'ok' && database === 'up' ? 'ok' : 'warn';
  }
  return (
    <p className={`health health--${tone}`} role="status">
      <span className="health-dot" aria-hidden="true" />
      {text}
    </p>
  );
}
