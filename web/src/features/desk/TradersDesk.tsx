import { Badge, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { CopyOutcome } from '../../../../src/domain/shared-types';
import { EmptyState, QueryView, SkeletonRows } from '../../components/states';
import { TONE } from '../../components/tones';
import { OUTCOME_LABEL } from '../../lib/copy-reasons';
import { contractName, quantity, relativeTime } from '../../lib/format';
import { readOccSymbol } from '../../lib/occ';
import { type Subscriber, subscribersQuery } from '../copying/api';
import { subscriberCopiesQuery } from './api';
import { deskExplanation, reasonWords } from './words';

const NOT_COPIED: readonly CopyOutcome[] = ['skipped', 'failed', 'lapsed', 'dismissed'];

const contractOf = (symbol: string) => {
  const parts = readOccSymbol(symbol);
  return parts ? contractName(parts) : symbol;
};

function followerName(follower: Subscriber): string {
  return (
    follower.subscriber.name ??
    (follower.subscriber.username ? `@${follower.subscriber.username}` : 'A subscriber')
  );
}

function FollowerCard({ follower }: { follower: Subscriber }) {
  const copies = useQuery(subscriberCopiesQuery(follower.subscriptionId));
  const name = followerName(follower);
  return (
    <Paper component="article" withBorder p="md" radius="md" aria-label={`Follower ${name}`}>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Title order={3} size="h4">
            {name}
          </Title>
          <Text size="sm" c="dimmed">
            {follower.status === 'active' ? 'Copying' : follower.status === 'paused' ? 'Paused' : 'Ended'} ·
            scaling {follower.settings.scalingFactor}× · since {relativeTime(follower.since)}
          </Text>
        </Group>
        {copies.isPending ? (
          <SkeletonRows rows={2} label={`Loading the copies of ${name}`} />
        ) : (
          <QueryView query={copies} what={`the copies of ${name}`}>
            {({ summary, copies: entries }) => {
              const copied = (summary.byOutcome.executed ?? 0) + (summary.byOutcome.approved ?? 0);
              const notCopied = NOT_COPIED.reduce(
                (sum, outcome) => sum + (summary.byOutcome[outcome] ?? 0),
                0,
              );
              const failed = summary.byOutcome.failed ?? 0;
              if (summary.total === 0) {
                return (
                  <Text size="sm">
                    Nothing to copy yet: your next trade will show here, copied or skipped and why.
                  </Text>
                );
              }
              return (
                <Stack gap="xs">
                  <Text size="sm" data-testid="desk-summary">
                    {quantity(copied)} copied · {quantity(notCopied)} not copied
                    {failed > 0 ? ` (${quantity(failed)} failed at the broker)` : ''}
                    {summary.byOutcome.pending_approval
                      ? ` · ${summary.byOutcome.pending_approval} waiting for approval`
                      : ''}
                  </Text>
                  {Object.entries(summary.byReason).length > 0 ? (
                    <Text size="sm" c="dimmed">
                      Why not:{' '}
                      {Object.entries(summary.byReason)
                        .map(([reason, count]) => `${reasonWords(reason)} (${count}×)`)
                        .join(' ')}
                    </Text>
                  ) : null}
                  <Table.ScrollContainer minWidth={0} type="native" tabIndex={0}>
                    <Table verticalSpacing={4} striped aria-label={`Recent copies of ${name}`}>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Your trade</Table.Th>
                          <Table.Th className="num">You</Table.Th>
                          <Table.Th className="num">They</Table.Th>
                          <Table.Th>What happened</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {entries.map((entry) => (
                          <Table.Tr key={entry.id}>
                            <Table.Td>
                              <Text size="sm">
                                {entry.side} {contractOf(entry.symbol)}
                              </Text>
                              <Text size="xs" c="dimmed">
                                {relativeTime(entry.createdAt)}
                              </Text>
                            </Table.Td>
                            <Table.Td className="num">{quantity(entry.sourceQuantity)}</Table.Td>
                            <Table.Td className="num">
                              {entry.copyQuantity === null || NOT_COPIED.includes(entry.outcome)
                                ? '—'
                                : quantity(entry.copyQuantity)}
                            </Table.Td>
                            <Table.Td>
                              <Badge
                                variant="outline"
                                color={
                                  entry.outcome === 'executed' || entry.outcome === 'approved'
                                    ? TONE.good
                                    : entry.outcome === 'failed'
                                      ? TONE.refused
                                      : TONE.neutral
                                }
                                mb={2}
                              >
                                {OUTCOME_LABEL[entry.outcome]}
                              </Badge>
                              <Text size="sm">{deskExplanation(entry)}</Text>
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                </Stack>
              );
            }}
          </QueryView>
        )}
      </Stack>
    </Paper>
  );
}

/**
 * The trader's desk: my subscribers and, for each, what was copied, skipped and why. Never their
 * account, balances or prices: only that their copies are working or not.
 */
export function TradersDesk() {
  const subscribers = useQuery(subscribersQuery());
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        Your trader’s desk: who copies you and whether their copies go through. You see why a copy was skipped
        or failed, never their account or balances.
      </Text>
      <QueryView
        query={subscribers}
        what="your followers"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState>
            No one copies you yet. Share your profile link from Settings; each follower then appears here with
            what was copied for them.
          </EmptyState>
        }
      >
        {(list) => (
          <Stack gap="sm">
            {list.map((follower) => (
              <FollowerCard key={follower.subscriptionId} follower={follower} />
            ))}
          </Stack>
        )}
      </QueryView>
    </Stack>
  );
}
