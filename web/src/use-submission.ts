import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export type Submission = {
  pending: boolean;
  error: ApiError | undefined;
  /** Run `action` unless one is already running; its failure becomes `error`. */
  run: (action: () => Promise<void>) => Promise<void>;
};

/** One in-flight request at a time, with its progress and error, for a form or a button. */
export function useSubmission(): Submission {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const inFlight = useRef(false);
  // A successful action often replaces the screen; its component is then gone and keeps no state.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (action: () => Promise<void>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setPending(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      if (mounted.current) {
        setError(
          caught instanceof ApiError ? caught : new ApiError(0, 'UNKNOWN', 'Something went wrong, try again'),
        );
      }
    } finally {
      inFlight.current = false;
      if (mounted.current) setPending(false);
    }
  }, []);

  return { pending, error, run };
}
