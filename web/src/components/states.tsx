/**
 * The four states of every list and panel (WEB.md): loading as skeletons in the content's
 * shape, empty with the next step, an error in words with a retry, and the data.
 */
import { Alert, Button, Group, Paper, Skeleton, Stack, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { messageOf } from '../api/client';

export function SkeletonRows({ rows = 3, label }: { rows?: number; label: string }) {
  return (
    <Stack gap="xs" aria-busy="true" aria-label={label} role="status">
      {Array.from({ length: rows }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have nothing else to be keyed by
        <Skeleton key={index} height={36} radius="sm" />
      ))}
    </Stack>
  );
}

export function EmptyState({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <Paper withBorder p="lg" radius="md" bg="gray.0">
      <Stack gap="sm" align="flex-start">
        <Text>{children}</Text>
        {action}
      </Stack>
    </Paper>
  );
}

export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry: () => void; what: string }) {
  return (
    <Alert color="red" variant="light" title={`Could not load ${what}`} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{messageOf(error)}</Text>
        <Button size="xs" variant="default" onClick={onRetry}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}

/**
 * A query's four states: `isEmpty` decides when the data is the empty state, `children` shows
 * the data.
 */
export function QueryView<T>({
  query,
  what,
  skeleton,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  what: string;
  skeleton?: ReactNode;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return skeleton ?? <SkeletonRows label={`Loading ${what}`} />;
  if (query.isError)
    return <ErrorState error={query.error} what={what} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data) && empty) return empty;
  return children(query.data);
}

/** The button that fetches the next page, and says when there is none. */
export function MoreButton({
  hasMore,
  loading,
  onMore,
}: {
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
}) {
  if (!hasMore) return null;
  return (
    <Group justify="center" mt="sm">
      <Button variant="default" onClick={onMore} loading={loading}>
        Show more
      </Button>
    </Group>
  );
}
