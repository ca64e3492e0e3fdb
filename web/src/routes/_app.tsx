import { createFileRoute } from '@tanstack/react-router';
import { requireSession } from '../features/auth/session';
import { AppLayout } from '../features/shell/AppLayout';

/** Every signed-in page: a session is required, and the shell (navigation, header, live) frames it. */
export const Route = createFileRoute('/_app')({
  beforeLoad: async ({ context, location }) => ({
    me: await requireSession(context.queryClient, location.href),
  }),
  component: AppLayout,
});
