/**
 * "Run an action" in an account's detail: any action of the OneBot table, its parameters as
 * fields made from the action's JSON Schema (action-schema.ts), or as raw JSON; the answer is
 * shown as formatted JSON. The action list comes once from `GET /console/api/actions`; while
 * it is loading, or when the gateway could not give it, the form takes raw JSON only.
 */
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import { useEffect, useId, useMemo, useState } from 'preact/hooks';
import {
  actionLabel,
  buildParams,
  type CatalogueAction,
  fieldsOf,
  type FieldValues,
  type FormField,
  initialValues,
  parseRawParams,
  placeholderOf,
  valuesFromParams,
} from './action-schema.js';
import { ApiError, callAction, fetchActions, type OneBotEnvelope } from './api.js';

export interface ActionFormProps {
  uin: number;
  token: string;
  onAuthFailed: (err: ApiError) => void;
}

type Catalogue =
  | { kind: 'loading' }
  | { kind: 'ready'; actions: CatalogueAction[]; byName: Map<string, CatalogueAction> }
  | { kind: 'failed'; message: string };

type CallState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; action: string; envelope: OneBotEnvelope; ms: number }
  | { kind: 'failed'; message: string; body: unknown };

const KIND_HINT: Record<FormField['kind'], string> = {
  string: 'text',
  number: 'number',
  integer: 'integer',
  boolean: 'yes / no',
  enum: 'one of its values',
  json: 'JSON: a "string" in quotes, a number, an {object} or an [array]',
};

export function ActionForm(props: ActionFormProps) {
  const { uin, token, onAuthFailed } = props;
  const id = useId();
  const [catalogue, setCatalogue] = useState<Catalogue>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [action, setAction] = useState('get_login_info');
  const [raw, setRaw] = useState(false);
  const [rawText, setRawText] = useState('{}');
  /** The fields' values, and the action they were typed for. */
  const [values, setValues] = useState<{ action: string; values: FieldValues } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [call, setCall] = useState<CallState>({ kind: 'idle' });

  useEffect(() => {
    let live = true;
    fetchActions(token).then(
      actions => {
        if (live)
          setCatalogue({ kind: 'ready', actions, byName: new Map(actions.map(a => [a.name, a])) });
      },
      (err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.isAuth) return onAuthFailed(err);
        setCatalogue({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [token, attempt]);

  const name = action.trim();
  const chosen = catalogue.kind === 'ready' ? catalogue.byName.get(name) : undefined;
  const fields = useMemo(() => (chosen ? fieldsOf(chosen.params) : undefined), [chosen]);
  /** No list, or an action the gateway could not describe: raw JSON it is. */
  const rawOnly = catalogue.kind === 'failed' || (chosen !== undefined && fields === undefined);
  const showRaw = raw || rawOnly;
  const current = useMemo(
    () => (values && values.action === name ? values.values : initialValues(fields ?? [])),
    [values, name, fields],
  );
  const fieldId = (field: string) => `${id}-p-${field}`;

  const setField = (field: string, value: string | boolean) =>
    setValues({ action: name, values: { ...current, [field]: value } });

  const toggleRaw = (e: TargetedEvent<HTMLInputElement>) => {
    const on = e.currentTarget.checked;
    setNote(null);
    if (on && fields) {
      // The form's parameters carry over to the JSON (when they make an object).
      const built = buildParams(fields, current);
      if (built.ok) setRawText(JSON.stringify(built.params, null, 2));
      else setNote(`The fields were not carried over: ${built.message}`);
    } else if (!on && fields) {
      const parsed = parseRawParams(rawText);
      if (!parsed.ok) setNote(`The JSON was not carried over: ${parsed.message}`);
      else {
        const back = valuesFromParams(fields, parsed.params);
        setValues({ action: name, values: back.values });
        if (back.dropped.length > 0)
          setNote(`Not carried over to the fields: ${back.dropped.join(', ')}.`);
      }
    }
    setRaw(on);
  };

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!name) return;
    let params: Record<string, unknown>;
    if (showRaw) {
      const parsed = parseRawParams(rawText);
      if (!parsed.ok) return setCall({ kind: 'failed', message: parsed.message, body: null });
      params = parsed.params;
    } else {
      const built = buildParams(fields ?? [], current);
      if (!built.ok) {
        setCall({ kind: 'failed', message: built.message, body: null });
        document.getElementById(fieldId(built.field))?.focus();
        return;
      }
      params = built.params;
    }
    setCall({ kind: 'running' });
    const started = performance.now();
    try {
      const envelope = await callAction(token, uin, name, params);
      setCall({ kind: 'done', action: name, envelope, ms: performance.now() - started });
    } catch (err) {
      if (err instanceof ApiError && err.isAuth) return onAuthFailed(err);
      const body =
        err instanceof ApiError ? { error: { code: err.code, message: err.message } } : null;
      setCall({ kind: 'failed', message: err instanceof Error ? err.message : String(err), body });
    }
  };

  const about = (() => {
    if (catalogue.kind === 'loading') return 'Loading the action list…';
    if (catalogue.kind === 'failed') return null;
    if (!name) return `${catalogue.actions.length} actions: type to search.`;
    if (!chosen) return 'Not an action of the table (the gateway will answer API_NOT_FOUND).';
    return actionLabel(chosen);
  })();

  return (
    <form class="call-form" aria-labelledby={`${id}-title`} onSubmit={e => void submit(e)}>
      <h3 id={`${id}-title`}>Run an action</h3>
      <label for="call-action">Action</label>
      <input
        id="call-action"
        list={`${id}-actions`}
        autoComplete="off"
        spellcheck={false}
        required
        value={action}
        aria-describedby={`${id}-about`}
        onInput={e => setAction(e.currentTarget.value)}
      />
      {catalogue.kind === 'ready' && (
        <datalist id={`${id}-actions`}>
          {catalogue.actions.map(a => (
            <option key={a.name} value={a.name} label={actionLabel(a)} />
          ))}
        </datalist>
      )}
      <p id={`${id}-about`} class="muted small">
        {about}
        {chosen?.status === 'planned' && (
          <span class="warn"> Planned: answered with API_NOT_IMPLEMENTED for now.</span>
        )}
      </p>
      {catalogue.kind === 'failed' && (
        <p class="warn" role="status">
          No action list ({catalogue.message}): parameters as raw JSON only.{' '}
          <button type="button" class="small" onClick={() => setAttempt(n => n + 1)}>
            Retry
          </button>
        </p>
      )}

      <label class="check">
        <input type="checkbox" checked={showRaw} disabled={rawOnly} onChange={toggleRaw} />
        Raw JSON
      </label>
      {note && <p class="warn small">{note}</p>}

      {showRaw ? (
        <>
          <label for="call-params">Parameters</label>
          <textarea
            id="call-params"
            class="mono"
            rows={6}
            spellcheck={false}
            value={rawText}
            aria-describedby={rawOnly && chosen ? `${id}-noschema` : undefined}
            onInput={e => setRawText(e.currentTarget.value)}
          />
          {rawOnly && chosen && (
            <p id={`${id}-noschema`} class="muted small">
              The gateway has no schema of {chosen.name}'s parameters.
            </p>
          )}
        </>
      ) : (
        <fieldset class="param-fields" data-testid="param-fields">
          <legend>{chosen ? `Parameters of ${chosen.name}` : 'Parameter fields'}</legend>
          {fields === undefined ? (
            <p class="muted small">
              {catalogue.kind === 'loading'
                ? 'The fields come with the action list.'
                : 'Pick an action from the list for its fields, or use raw JSON.'}
            </p>
          ) : fields.length === 0 ? (
            <p class="muted small">No parameters.</p>
          ) : (
            fields.map(f => (
              <ParamField
                key={`${name}/${f.name}`}
                field={f}
                id={fieldId(f.name)}
                value={current[f.name] ?? ''}
                onChange={v => setField(f.name, v)}
              />
            ))
          )}
        </fieldset>
      )}

      <div class="buttons">
        <button type="submit" class="primary" disabled={call.kind === 'running'}>
          Call
        </button>
        <span class="muted small" aria-live="polite">
          {call.kind === 'running' && 'Calling…'}
          {call.kind === 'done' &&
            `${call.action}: ${call.envelope.status}, retcode ${call.envelope.retcode} (${Math.round(call.ms)} ms)`}
        </span>
      </div>
      {call.kind === 'failed' && (
        <p class="error" role="alert">
          {call.message}
        </p>
      )}
      {(call.kind === 'done' || (call.kind === 'failed' && call.body !== null)) && (
        <pre class="result mono" data-testid="call-result" tabIndex={0} aria-label="Result">
          {JSON.stringify(call.kind === 'done' ? call.envelope : call.body, null, 2)}
        </pre>
      )}
    </form>
  );
}

interface ParamFieldProps {
  field: FormField;
  id: string;
  value: string | boolean;
  onChange: (value: string | boolean) => void;
}

/** One parameter: its name as the label, its description and type under it. */
function ParamField({ field: f, id, value, onChange }: ParamFieldProps) {
  const hintId = `${id}-hint`;
  const hint = [f.description, KIND_HINT[f.kind], f.kind === 'boolean' ? '' : placeholderOf(f)]
    .filter(Boolean)
    .join(' · ');
  const label = (
    <>
      <span class="mono">{f.name}</span>
      {f.required && (
        <span class="required" title="required" aria-hidden="true">
          {' '}
          *
        </span>
      )}
    </>
  );
  const text = typeof value === 'string' ? value : '';
  const common = {
    id,
    'aria-describedby': hintId,
    'aria-required': f.required || undefined,
  };
  let control;
  switch (f.kind) {
    case 'boolean':
      return (
        <div class="param param-check">
          <label class="check" for={id}>
            <input
              type="checkbox"
              {...common}
              checked={value === true}
              onChange={e => onChange(e.currentTarget.checked)}
            />
            {label}
          </label>
          <span id={hintId} class="muted small">
            {hint}
          </span>
        </div>
      );
    case 'string':
      control = (
        <input
          {...common}
          type="text"
          autoComplete="off"
          spellcheck={false}
          value={text}
          onInput={e => onChange(e.currentTarget.value)}
        />
      );
      break;
    case 'number':
    case 'integer':
      control = (
        <input
          {...common}
          type="number"
          inputMode={f.kind === 'integer' ? 'numeric' : 'decimal'}
          step={f.kind === 'integer' ? 1 : 'any'}
          value={text}
          onInput={e => onChange(e.currentTarget.value)}
        />
      );
      break;
    case 'enum':
      control = (
        <select {...common} value={text} onChange={e => onChange(e.currentTarget.value)}>
          <option value="">{f.required ? 'choose…' : placeholderOf(f)}</option>
          {(f.options ?? []).map((o, i) => (
            <option key={i} value={String(i)}>
              {typeof o === 'string' ? o : JSON.stringify(o)}
            </option>
          ))}
        </select>
      );
      break;
    case 'json':
      control = (
        <textarea
          {...common}
          class="mono"
          rows={3}
          spellcheck={false}
          value={text}
          onInput={e => onChange(e.currentTarget.value)}
        />
      );
      break;
  }
  return (
    <div class={f.kind === 'json' ? 'param param-wide' : 'param'}>
      <label for={id}>{label}</label>
      {control}
      <span id={hintId} class="muted small">
        {hint}
      </span>
    </div>
  );
}
