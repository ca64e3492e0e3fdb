import {
  Alert,
  AppShell,
  Badge,
  Box,
  Button,
  Group,
  Menu,
  NavLink,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { ApiError } from '../../api/client';
import { ButtonLink } from '../../components/links';
import { money } from '../../lib/format';
import { stopLive } from '../../live/stream';
import { useLiveStatus, useLiveUpdates } from '../../live/useLive';
import { accountsQuery, selectedAccount } from '../accounts/api';
import { meQuery, signOut } from '../auth/api';
import { approvalInboxQuery } from '../copying/api';
import { Bell } from '../notifications/Bell';
import { HealthStatus } from './HealthStatus';
import { LiveDot } from './LiveDot';
import { NAVIGATION, PHONE_BAR, PHONE_MORE } from './navigation';

function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    try {
      await signOut();
    } catch (error) {
      // The session had already ended (401): signed out all the same.
      if (!(error instanceof ApiError && error.isUnauthenticated)) throw error;
    }
    stopLive();
    queryClient.clear();
    await navigate({ to: '/sign-in' });
  };
}

function SelectedAccount() {
  const accounts = useQuery(accountsQuery());
  const account = selectedAccount(accounts.data);
  if (accounts.isPending)
    return (
      <Text size="sm" c="dimmed">
        Loading account…
      </Text>
    );
  if (!account) {
    return (
      <ButtonLink to="/accounts" size="compact-sm" variant="light">
        Open an account
      </ButtonLink>
    );
  }
  const broken = account.needsReconnect;
  return (
    <UnstyledButton
      component={Link}
      to="/accounts"
      aria-label={`Selected account ${account.accountName ?? account.brokerName}, ${broken ? 'needs reconnecting' : `buying power ${money(account.buyingPower)}`}`}
    >
      <Stack gap={0}>
        <Text size="xs" c="dimmed" lh={1.2} truncate maw={160}>
          {account.accountName ?? account.brokerName}
        </Text>
        {broken ? (
          <Text size="sm" fw={600} c="red.9" lh={1.3}>
            Needs reconnecting
          </Text>
        ) : (
          <Text size="sm" fw={600} className="num" lh={1.3}>
            {money(account.buyingPower)}{' '}
            <Text span size="xs" c="dimmed" fw={400} visibleFrom="sm">
              buying power
            </Text>
          </Text>
        )}
      </Stack>
    </UnstyledButton>
  );
}

function ReconnectingBanner() {
  const status = useLiveStatus();
  if (status !== 'reconnecting') return null;
  return (
    <Alert color="gray" variant="light" mb="md" role="status" title="Reconnecting">
      The live connection dropped. Reconnecting… the page catches up by itself once it is back.
    </Alert>
  );
}

export function AppLayout() {
  useLiveUpdates();
  const me = useQuery(meQuery());
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const inbox = useQuery(approvalInboxQuery());
  const waiting = inbox.data?.length ?? 0;
  const signOutNow = useSignOut();
  const name = me.data?.name?.trim() || me.data?.email || '';
  const isActive = (to: string) => pathname === to || pathname.startsWith(`${to}/`);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: true } }}
      footer={{ height: 64, collapsed: false }}
      padding="md"
    >
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="md" wrap="nowrap">
            <Text component={Link} to="/" fw={700} fz="xl" c="blue.8" td="none">
              Alertsify
            </Text>
            <SelectedAccount />
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LiveDot />
            <Bell />
            <Stack gap={0} visibleFrom="md" align="flex-end">
              <Text size="sm" fw={600} lh={1.3}>
                {name}
              </Text>
              {name !== me.data?.email ? (
                <Text size="xs" c="dimmed" lh={1.3}>
                  {me.data?.email}
                </Text>
              ) : null}
            </Stack>
            <Button variant="default" size="compact-md" onClick={() => void signOutNow()} visibleFrom="sm">
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main">
        <AppShell.Section grow>
          <NavLink component={Link} to="/" label="Home" active={pathname === '/'} />
          {NAVIGATION.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              active={isActive(item.to)}
              rightSection={
                item.to === '/copying' && waiting > 0 ? (
                  <Badge size="sm" color="red.9" aria-label={`${waiting} waiting for approval`}>
                    {waiting}
                  </Badge>
                ) : null
              }
            />
          ))}
        </AppShell.Section>
        <AppShell.Section>
          <HealthStatus />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <Box maw={1200} mx="auto">
          <ReconnectingBanner />
          <Outlet />
        </Box>
      </AppShell.Main>

      <AppShell.Footer hiddenFrom="sm" aria-label="Main">
        <Group component="nav" aria-label="Sections" h="100%" grow gap={0} wrap="nowrap">
          {PHONE_BAR.map((item) => (
            <Button
              key={item.to}
              component={Link}
              to={item.to}
              variant={isActive(item.to) ? 'light' : 'subtle'}
              h="100%"
              radius={0}
              px={2}
              fz="sm"
              aria-current={isActive(item.to) ? 'page' : undefined}
            >
              {item.label}
              {item.to === '/copying' && waiting > 0 ? ` (${waiting})` : ''}
            </Button>
          ))}
          <Menu position="top-end">
            <Menu.Target>
              <Button variant="subtle" h="100%" radius={0} px={2} fz="sm">
                More
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item component={Link} to="/">
                Home
              </Menu.Item>
              {PHONE_MORE.map((item) => (
                <Menu.Item key={item.to} component={Link} to={item.to}>
                  {item.label}
                </Menu.Item>
              ))}
              <Menu.Divider />
              <Menu.Item onClick={() => void signOutNow()}>Sign out</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Footer>
    </AppShell>
  );
}
