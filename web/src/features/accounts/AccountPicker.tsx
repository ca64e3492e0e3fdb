import { Alert, NativeSelect, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { messageOf } from '../../api/client';
import { AnchorLink } from '../../components/links';
import { money } from '../../lib/format';
import { accountKeys, accountsQuery, selectAccount } from './api';
import { accountName, tradingBlock } from './health';

/**
 * Which account orders (the ticket) or copies (subscribing) go to: the selected one, changed
 * here. An account that cannot trade (read-only, connection broken) is listed but cannot be
 * chosen, with the reason in its option; if the selected one cannot trade, it says why.
 */
export function AccountPicker({ label, purpose }: { label: string; purpose: 'orders' | 'copies' }) {
  const queryClient = useQueryClient();
  const accounts = useQuery(accountsQuery());
  const select = useMutation({
    mutationFn: selectAccount,
    onSettled: () => queryClient.invalidateQueries({ queryKey: accountKeys.all }),
    onError: (error) =>
      notifications.show({ title: 'Could not switch', message: messageOf(error), color: 'red' }),
  });
  const active = (accounts.data ?? []).filter((account) => account.isActive);
  if (active.length === 0) return null;
  const selected = active.find((account) => account.isSelected);
  const selectedBlock = selected ? tradingBlock(selected) : null;
  const data = [
    ...(selected ? [] : [{ value: '', label: 'Choose an account', disabled: true }]),
    ...active.map((account) => {
      const block = tradingBlock(account);
      return {
        value: account.id,
        label: block
          ? `${accountName(account)} — ${block.label}`
          : `${accountName(account)} · ${money(account.buyingPower)} buying power`,
        // The selected one stays listed as chosen even when it cannot trade; the alert says why.
        disabled: block !== null && !account.isSelected,
      };
    }),
  ];
  return (
    <Stack gap={4}>
      <NativeSelect
        label={label}
        description={
          purpose === 'orders'
            ? 'Orders go to this account. Read-only accounts and broken connections cannot be chosen.'
            : 'Copies go to your selected account. Read-only accounts and broken connections cannot be chosen.'
        }
        data={data}
        value={selected?.id ?? ''}
        disabled={select.isPending}
        onChange={(event) => {
          const id = event.currentTarget.value;
          if (id && id !== selected?.id) select.mutate(id);
        }}
      />
      {selected && selectedBlock ? (
        <Alert
          color="red"
          variant="light"
          title={`${accountName(selected)} cannot ${purpose === 'orders' ? 'trade' : 'receive copies'}`}
        >
          <Text size="sm">
            {selectedBlock.explanation}{' '}
            {selected.needsReconnect && !selected.readOnly ? (
              <AnchorLink to="/accounts">Reconnect it in Accounts.</AnchorLink>
            ) : (
              <AnchorLink to="/accounts">Choose or open another account in Accounts.</AnchorLink>
            )}
          </Text>
        </Alert>
      ) : null}
    </Stack>
  );
}
