import { Alert } from '@mantine/core';
import { useState } from 'react';
import { placeApiError } from './form-errors';

type ApiForm<Values> = {
  values: Values;
  setFieldError: (path: string, error: string) => void;
  onSubmit: (
    handler: (values: Values) => Promise<void>,
  ) => (event?: React.FormEvent<HTMLFormElement>) => void;
};

/**
 * A Mantine form sent to the API: one request at a time, its progress, and its refusal placed
 * beside the field the API names (or kept for the form's alert).
 */
export function useApiSubmit<Values extends object>(
  form: ApiForm<Values>,
  aliases: Record<string, string> = {},
) {
  const [pending, setPending] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const submit = (send: (values: Values) => Promise<void>) =>
    form.onSubmit(async (values) => {
      setPending(true);
      setFormError(null);
      try {
        await send(values);
      } catch (error) {
        setFormError(placeApiError(form, error, aliases));
      } finally {
        setPending(false);
      }
    });
  return { pending, formError, setFormError, submit };
}

/** The form's own error (one no field owns), announced as it appears. */
export function FormAlert({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" role="alert">
      {error}
    </Alert>
  );
}
