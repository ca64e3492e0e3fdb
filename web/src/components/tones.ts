/** Badge and status colours dark enough to read at a badge's small size on white and on striped rows. */
export const TONE = {
  working: '#1864ab',
  good: '#1b7a3d',
  neutral: '#495057',
  refused: '#b3261e',
} as const;
