import {
  Alert,
  Anchor,
  type CSSVariablesResolver,
  createTheme,
  Modal,
  NavLink,
  Notification,
} from '@mantine/core';

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
  // Who asks the system for less motion gets no transitions.
  respectReducedMotion: true,
  components: {
    // Links inside text are underlined: told apart from the words around them without colour.
    // An alert's title in the text colour: its tint shows the kind, the words must read on it.
    Alert: Alert.extend({ styles: { label: { color: 'var(--mantine-color-text)' } } }),
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
    // The dialogs' × button, named for screen readers; Escape closes them too.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    // The current page's link: white on the primary colour, unmistakable and readable.
    NavLink: NavLink.extend({ defaultProps: { variant: 'filled' } }),
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss message' } },
    }),
  },
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#495057',
    '--mantine-color-placeholder': '#6b7178',
    // Field errors and invalid inputs in a red that reads on white.
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {},
});
