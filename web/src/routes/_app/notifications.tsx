import { createFileRoute } from '@tanstack/react-router';
import { NotificationsPage } from '../../features/notifications/NotificationsPage';

type NotificationsSearch = { unread?: true };

export const Route = createFileRoute('/_app/notifications')({
  validateSearch: (search: Record<string, unknown>): NotificationsSearch =>
    search.unread === true || search.unread === 'true' || search.unread === 1 ? { unread: true } : {},
  component: NotificationsRoute,
});

function NotificationsRoute() {
  const { unread } = Route.useSearch();
  const navigate = Route.useNavigate();
  return (
    <NotificationsPage
      unreadOnly={unread === true}
      onUnreadOnly={(value) => void navigate({ search: value ? { unread: true } : {}, replace: true })}
    />
  );
}
