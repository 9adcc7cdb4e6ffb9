/**
 * A labelled control: a visible <label for> tied to the control by a generated id, so that
 * the control's accessible name is the label's text alone.
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export interface FieldProps {
  label: ComponentChildren;
  class?: string;
  /** Renders the control with the id the label points at. */
  children: (id: string) => ComponentChildren;
}

export function Field({ label, class: extra, children }: FieldProps) {
  const id = useId();
  return (
    <div class={extra ? `field ${extra}` : 'field'}>
      <label for={id}>{label}</label>
      {children(id)}
    </div>
  );
}
