import { createFileRoute, redirect } from '@tanstack/react-router';
import { SignUpPage } from '../features/auth/SignUpPage';
import { hasSession } from '../features/auth/session';

export const Route = createFileRoute('/sign-up')({
  beforeLoad: async ({ context }) => {
    if (await hasSession(context.queryClient)) throw redirect({ to: '/' });
  },
  component: SignUpPage,
});
