import { ApiError, messageOf } from '../api/client';

/** What a Mantine form offers for showing an error beside a field. */
type FormWithErrors = {
  values: object;
  setFieldError: (path: string, error: string) => void;
};

/**
 * Put an API refusal where it belongs: beside the field it names when the form has that
 * field; otherwise it is the form's own error, returned for an alert above the button. The
 * API's messages name their field first ("quantity: only 2 available"); beside the field the
 * name goes.
 */
export function placeApiError(
  form: FormWithErrors,
  error: unknown,
  aliases: Record<string, string> = {},
): string | null {
  if (error instanceof ApiError && error.field) {
    const field = aliases[error.field] ?? error.field;
    if (field in form.values) {
      const prefix = `${error.field}: `;
      const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      form.setFieldError(field, message.charAt(0).toUpperCase() + message.slice(1));
      return null;
    }
  }
  return messageOf(error);
}

/** Field errors are announced as they appear, like a form's own error. */
export const announcedError = { errorProps: { role: 'alert' } } as const;
