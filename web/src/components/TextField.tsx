import { useId } from 'react';

type TextFieldProps = {
  label: string;
  name: string;
  type: 'text' | 'email' | 'password';
  value: string;
  onChange: (value: string) => void;
  autoComplete: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  hint?: string;
  /** Set when the server named this field as the one at fault; the id of the element explaining why. */
  invalidDescribedBy?: string | undefined;
  disabled?: boolean;
};

/** A labelled input: the label is tied to the input, a hint is read with it. */
export function TextField({
  label,
  name,
  type,
  value,
  onChange,
  autoComplete,
  required = true,
  minLength,
  maxLength,
  hint,
  invalidDescribedBy,
  disabled = false,
}: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : undefined, invalidDescribedBy].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        autoComplete={autoComplete}
        required={required}
        minLength={minLength}
        maxLength={maxLength}
        disabled={disabled}
        aria-invalid={invalidDescribedBy ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
