import { Group } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ButtonLink } from '../../components/links';
import { accountsQuery } from '../accounts/api';
import { subscriptionsQuery } from '../copying/api';

/**
 * What a new user should do next, beside an empty list: open a paper account if they have no
 * account, find a trader to copy if they follow no one. Nothing once both are done.
 */
export function NextSteps() {
  const accounts = useQuery(accountsQuery());
  const subscriptions = useQuery(subscriptionsQuery());
  const noAccount = accounts.data?.length === 0;
  const followsNoOne = subscriptions.data?.length === 0;
  if (!noAccount && !followsNoOne) return null;
  return (
    <Group gap="xs">
      {noAccount ? <ButtonLink to="/accounts">Open a paper account</ButtonLink> : null}
      {followsNoOne ? (
        <ButtonLink to="/traders" variant={noAccount ? 'default' : 'filled'}>
          Find a trader to copy
        </ButtonLink>
      ) : null}
    </Group>
  );
}
