import { createFileRoute } from '@tanstack/react-router';
import { type TradeSearch, tradeView, validateTradeSearch } from '../../features/trade/search';
import { TradePage } from '../../features/trade/TradePage';

export const Route = createFileRoute('/_app/trade')({
  validateSearch: validateTradeSearch,
  component: TradeRoute,
});

function TradeRoute() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  const onSearch = (next: Partial<TradeSearch>, replace = false) =>
    void navigate({ search: (previous: TradeSearch) => ({ ...previous, ...next }), replace });
  return <TradePage search={tradeView(search)} onSearch={onSearch} />;
}
