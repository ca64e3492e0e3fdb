import { createFileRoute } from '@tanstack/react-router';
import { TradersPage } from '../../../features/traders/TradersPage';

export const Route = createFileRoute('/_app/traders/')({ component: TradersPage });
