import { Avatar, Button, Group, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { FormAlert, useApiSubmit } from '../../components/api-form';
import { announcedError } from '../../components/form-errors';
import { meKey, type Profile } from '../auth/api';
import { updateMe } from './api';

/** Name, username, bio and avatar address: what subscribers and the leaderboard show of me. */
export function ProfileForm({ profile }: { profile: Profile }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: {
      name: profile.name ?? '',
      username: profile.username ?? '',
      bio: profile.bio ?? '',
      avatarUrl: profile.avatarUrl ?? '',
    },
  });
  const { pending, formError, submit } = useApiSubmit(form);
  const save = submit(async (values) => {
    const saved = await updateMe({
      name: values.name.trim(),
      username: values.username.trim() === '' ? null : values.username.trim(),
      bio: values.bio,
      avatarUrl: values.avatarUrl,
    });
    queryClient.setQueryData<Profile>(meKey, saved);
    form.setValues({
      name: saved.name ?? '',
      username: saved.username ?? '',
      bio: saved.bio ?? '',
      avatarUrl: saved.avatarUrl ?? '',
    });
    form.resetDirty();
    notifications.show({ title: 'Profile saved', message: 'Your profile is up to date.', color: 'teal' });
  });
  return (
    <form onSubmit={save} aria-busy={pending}>
      <Stack gap="sm">
        <Group align="flex-end" gap="sm" wrap="nowrap">
          <Avatar src={form.values.avatarUrl || null} alt="" radius="xl" size="lg">
            {(form.values.name || profile.email).slice(0, 1).toUpperCase()}
          </Avatar>
          <TextInput
            label="Name"
            required
            autoComplete="name"
            flex={1}
            {...announcedError}
            {...form.getInputProps('name')}
          />
        </Group>
        <TextInput
          label="Username"
          description="3 to 30 letters, digits or underscores. Shown on the leaderboard and to your subscribers."
          autoComplete="username"
          {...announcedError}
          {...form.getInputProps('username')}
        />
        <Textarea
          label="Bio"
          description="What you trade and how, in a few lines (up to 500 characters)."
          autosize
          minRows={2}
          maxRows={6}
          {...announcedError}
          {...form.getInputProps('bio')}
        />
        <TextInput
          label="Avatar image address"
          description="An https:// link to a picture of you."
          type="url"
          {...announcedError}
          {...form.getInputProps('avatarUrl')}
        />
        <FormAlert error={formError} />
        <Group>
          <Button type="submit" loading={pending} disabled={!form.isDirty()}>
            Save profile
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
