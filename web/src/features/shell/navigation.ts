/** The signed-in pages, in the order WEB.md gives them. */
export const NAVIGATION = [
  { to: '/trade', label: 'Trade' },
  { to: '/copying', label: 'Copying' },
  { to: '/traders', label: 'Traders' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/history', label: 'History' },
  { to: '/accounts', label: 'Accounts' },
  { to: '/settings', label: 'Settings' },
] as const;

/** The phone's bottom bar holds the first four (WEB.md) and a menu for the rest. */
export const PHONE_BAR = NAVIGATION.slice(0, 4);
export const PHONE_MORE = NAVIGATION.slice(4);
