import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { applyLiveEvent, catchUp } from './apply-event';
import { type LiveStatus, liveStatus, onLiveStatus, startLive } from './stream';

/** Keep the tab's live stream open while a signed-in page is shown. */
export function useLiveUpdates(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    startLive({
      onEvent: (event) => applyLiveEvent(queryClient, event),
      onCatchUp: () => catchUp(queryClient),
    });
    // Left open when the shell re-renders or a page changes; sign-out closes it.
  }, [queryClient]);
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(onLiveStatus, liveStatus);
}
