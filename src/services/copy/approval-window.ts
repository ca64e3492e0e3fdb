/** The approval window in words for messages ("15 minutes"), from the setting, never a literal. */
export function describeApprovalWindow(windowMs: number): string {
  const units: Array<[ms: number, name: string]> = [
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [ms, name] of units) {
    if (windowMs >= ms && windowMs % ms === 0) {
      const count = windowMs / ms;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return `${windowMs / 1000} seconds`;
}
