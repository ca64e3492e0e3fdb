import { type CSSVariablesResolver, createTheme } from '@mantine/core';

/**
 * One component library (Mantine), one theme. Shades are chosen for contrast (WCAG AA against
 * white): the primary colour one step darker than Mantine's default, dimmed text darker too.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 5 },
  autoContrast: true,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'md',
  headings: { fontWeight: '700' },
  cursorType: 'pointer',
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#495057',
    '--mantine-color-placeholder': '#6b7178',
  },
  dark: {},
});
