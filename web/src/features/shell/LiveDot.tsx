import { Box, Group, Text, Tooltip } from '@mantine/core';
import type { LiveStatus } from '../../live/stream';
import { useLiveStatus } from '../../live/useLive';

const LABEL: Record<LiveStatus, string> = {
  off: 'Live updates off',
  connecting: 'Connecting to live updates',
  live: 'Live: updates arrive as they happen',
  reconnecting: 'Reconnecting to live updates',
  unavailable: 'Live updates unavailable',
};

const SHORT: Record<LiveStatus, string> = {
  off: 'Off',
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
  unavailable: 'Offline',
};

/** Green while `/api/events` is connected, grey otherwise; the word says which, not the colour alone. */
export function LiveDot() {
  const status = useLiveStatus();
  const live = status === 'live';
  return (
    <Tooltip label={LABEL[status]}>
      <Group gap={6} wrap="nowrap" data-live-status={status} aria-label={LABEL[status]} role="img">
        <Box
          w={10}
          h={10}
          style={{ borderRadius: '50%' }}
          bg={live ? 'green.7' : 'gray.5'}
          aria-hidden="true"
        />
        <Text size="sm" c="dimmed" visibleFrom="xs" aria-hidden="true">
          {SHORT[status]}
        </Text>
      </Group>
    </Tooltip>
  );
}
