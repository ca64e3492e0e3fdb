import { Button, Container, Stack, Text, Title } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { createRootRouteWithContext, Outlet } from '@tanstack/react-router';
import { messageOf } from '../api/client';
import { ButtonLink } from '../components/links';
import type { RouterContext } from '../router';

export const Route = createRootRouteWithContext<RouterContext>()({
  component: Root,
  notFoundComponent: NotFound,
  errorComponent: ({ error, reset }) => <Failure error={error} onRetry={reset} />,
});

function Root() {
  return (
    <>
      <Notifications position="top-right" limit={4} containerWidth={360} />
      <Outlet />
    </>
  );
}

function NotFound() {
  return (
    <Container size="sm" py="xl" component="main">
      <Stack align="flex-start">
        <Title order={1}>Page not found</Title>
        <Text>There is nothing at this address.</Text>
        <ButtonLink to="/">Go to the start</ButtonLink>
      </Stack>
    </Container>
  );
}

export function Failure({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <Container size="sm" py="xl" component="main">
      <Stack align="flex-start">
        <Title order={1}>Something went wrong</Title>
        <Text role="alert">{messageOf(error)}</Text>
        <Button onClick={onRetry}>Try again</Button>
      </Stack>
    </Container>
  );
}
