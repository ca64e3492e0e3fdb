/**
 * Errors and result values shared by the domain modules.
 *
 * Style used throughout `src/domain`: functions that callers use with trusted or already-validated
 * data (building a symbol, folding stored fills) throw `DomainValidationError` naming the field at
 * fault, because bad input there is a bug. Where input comes from outside (a broker's symbol, a
 * user's form) a `safe…` variant returns a `Result` instead, so the caller can answer 400 with the
 * field without a try/catch.
 */

export class DomainValidationError extends Error {
  override readonly name = 'DomainValidationError';
  /** The input field at fault, e.g. `strike` or `expiration`; the HTTP layer reports it as is. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export type Result<T, E = DomainValidationError> = { ok: true; value: T } | { ok: false; error: E };

/**
 * Runs a throwing validator and turns its `DomainValidationError` into a `Result`. Any other
 * exception is a bug and keeps propagating.
 */
export function toResult<T>(run: () => T): Result<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (error instanceof DomainValidationError) return { ok: false, error };
    throw error;
  }
}

/** Quantities are whole contracts; a float or negative number here is a programming error. */
export function assertWholeNumber(value: number, field: string, minimum = 0): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new DomainValidationError(field, `${field} must be a whole number ≥ ${minimum}, got ${value}`);
  }
}
