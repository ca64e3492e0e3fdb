import { Alert, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ButtonLink } from '../../components/links';
import { accountsQuery } from './api';
import { accountName, reconnectReasonInWords } from './health';

/** Home's reminder of every brokerage connection that needs reconnecting, with the way to Accounts. */
export function ConnectionAlerts() {
  const accounts = useQuery(accountsQuery());
  const broken = (accounts.data ?? []).filter((account) => account.isActive && account.needsReconnect);
  if (broken.length === 0) return null;
  return (
    <Stack gap="xs">
      {broken.map((account) => (
        <Alert
          key={account.id}
          color="red"
          variant="light"
          title={`${accountName(account)} needs reconnecting`}
        >
          <Stack gap="xs" align="flex-start">
            <Text size="sm">
              {reconnectReasonInWords(account)} Orders and copies to it are stopped until you reconnect it.
            </Text>
            <ButtonLink to="/accounts" size="compact-md" color="red.9">
              Reconnect in Accounts
            </ButtonLink>
          </Stack>
        </Alert>
      ))}
    </Stack>
  );
}
