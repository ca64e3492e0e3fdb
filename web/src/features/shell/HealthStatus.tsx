import { Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { messageOf } from '../../api/client';
import { healthQuery } from '../auth/api';

/** One line saying whether the API and its database answer. */
export function HealthStatus() {
  const health = useQuery(healthQuery());
  let text: string;
  let ok = false;
  if (health.isPending) text = 'Checking the API…';
  else if (health.isError) text = `API unreachable: ${messageOf(health.error)}`;
  else {
    const { status, database, version } = health.data;
    text = `API ${status} · database: ${database} · version ${version}`;
    ok = status === 'ok' && database === 'up';
  }
  return (
    <Group gap={6} wrap="nowrap" role="status">
      <span
        aria-hidden="true"
        style={{
          width: 8,
          height: 8,
          borderRadius: '50%',
          background: ok ? 'var(--gain)' : 'var(--mantine-color-gray-5)',
          flex: 'none',
        }}
      />
      <Text size="xs" c="dimmed">
        {text}
      </Text>
    </Group>
  );
}
