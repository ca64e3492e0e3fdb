import { createFileRoute } from '@tanstack/react-router';
import { TraderProfilePage } from '../../../features/traders/TraderProfilePage';

export const Route = createFileRoute('/_app/traders/$traderId')({ component: TraderRoute });

function TraderRoute() {
  const { traderId } = Route.useParams();
  return <TraderProfilePage traderId={traderId} />;
}
