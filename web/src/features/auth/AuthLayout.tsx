import { Container, Paper, Text, Title } from '@mantine/core';
import { type ReactNode, useEffect, useRef } from 'react';

/** The frame of the signed-out screens: the brand, a card with the screen's heading, a footer line. */
export function AuthLayout({
  title,
  children,
  footer,
}: {
  title: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Moving between sign-in and sign-up replaces the page's content: start reading at its heading.
  useEffect(() => {
    if (document.activeElement && document.activeElement !== document.body) heading.current?.focus();
  }, []);
  return (
    <Container size={440} py={48} px="md">
      <Text component="p" ta="center" fw={700} fz={28} c="blue.8" mb="lg">
        Alertsify
      </Text>
      <Paper component="main" withBorder radius="md" p="xl">
        <Title order={1} size="h2" mb="md" ref={heading} tabIndex={-1}>
          {title}
        </Title>
        {children}
      </Paper>
      <Text ta="center" mt="md" c="dimmed">
        {footer}
      </Text>
    </Container>
  );
}
