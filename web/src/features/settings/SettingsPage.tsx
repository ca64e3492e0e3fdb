import { Alert, Paper, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { messageOf } from '../../api/client';
import { SkeletonRows } from '../../components/states';
import { meQuery } from '../auth/api';
import { PreferencesPanel } from '../notifications/PreferencesPanel';
import { PushPanel } from '../notifications/PushPanel';
import { HealthStatus } from '../shell/HealthStatus';
import { DataSection, SecuritySection } from './AccountSection';
import { EmailStatus } from './EmailStatus';
import { ProfileForm } from './ProfileForm';
import { TraderSection } from './TraderSection';

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={`${id}-heading`} id={id}>
      <Title order={2} size="h3" id={`${id}-heading`} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** Settings: profile, email, trading for others (Discord), notifications and push, security, my data. */
export function SettingsPage() {
  const me = useQuery(meQuery());
  if (me.isPending) {
    return (
      <Stack gap="lg" maw={760}>
        <Title order={1}>Settings</Title>
        <SkeletonRows rows={4} label="Loading your settings" />
      </Stack>
    );
  }
  if (!me.data) {
    return (
      <Stack gap="lg" maw={760}>
        <Title order={1}>Settings</Title>
        <Alert color="red" role="alert">
          {messageOf(me.error)}
        </Alert>
      </Stack>
    );
  }
  const profile = me.data;
  return (
    <Stack gap="lg" maw={760}>
      <Title order={1}>Settings</Title>
      <Section id="profile" title="Profile">
        <ProfileForm profile={profile} />
      </Section>
      <Section id="email" title="Email">
        <EmailStatus profile={profile} />
      </Section>
      <Section id="trader" title="Trading for others">
        <TraderSection profile={profile} />
      </Section>
      <Section id="notifications" title="Notifications">
        <PreferencesPanel />
      </Section>
      <Section id="push" title="Push in this browser">
        <PushPanel />
      </Section>
      <Section id="security" title="Security">
        <SecuritySection />
      </Section>
      <Section id="data" title="Your data">
        <DataSection />
      </Section>
      <HealthStatus />
    </Stack>
  );
}
