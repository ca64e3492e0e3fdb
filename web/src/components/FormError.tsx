import type { ApiError } from '../api';

/** The reason a form was refused, announced to screen readers as soon as it appears. */
export function FormError({ id, error }: { id: string; error: ApiError | undefined }) {
  // The alert region stays in the page so that a changed message is announced too.
  return (
    <div id={id} role="alert" className={error ? 'form-error' : 'form-error form-error--empty'}>
      {error?.message}
    </div>
  );
}
