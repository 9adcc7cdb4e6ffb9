/**
 * "Add account": PUT /accounts/{uin} with a driver and its options. The gateway checks the
 * record; what it refuses is shown as it said it. The account appears with the next poll.
 */
import type { TargetedEvent, TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import {
  EMPTY_FIELDS,
  FLAVORS,
  keepEndpoints,
  recordOf,
  type AccountFields,
} from './account-record.js';
import { ApiError, getAccount, putAccount } from './api.js';
import { Field } from './field.js';

export interface AddAccountFormProps {
  token: string;
  /** Uins the fleet has: saving one of them replaces its record. */
  existing: ReadonlySet<number>;
  onDone: (message: string) => void;
  onCancel: () => void;
  onAuthFailed: (err: ApiError) => void;
}

export function AddAccountForm(props: AddAccountFormProps) {
  const [f, setF] = useState<AccountFields>(EMPTY_FIELDS);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof AccountFields>(key: K, value: AccountFields[K]) =>
    setF(o => ({ ...o, [key]: value }));
  const text =
    (key: 'uin' | 'simUrl' | 'url' | 'token' | 'flavor') => (e: TargetedEvent<HTMLInputElement>) =>
      set(key, e.currentTarget.value);

  const uin = /^\d{1,15}$/.test(f.uin.trim()) ? Number(f.uin.trim()) : NaN;
  const replaces = Number.isSafeInteger(uin) && props.existing.has(uin);

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!Number.isSafeInteger(uin) || uin <= 0) {
      setError('The uin is a positive whole number.');
      return;
    }
    const record = recordOf(f);
    if (typeof record === 'string') {
      setError(record);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      // Replacing keeps the account's own endpoints: the form does not show them.
      const input = replaces ? keepEndpoints(record, await getAccount(props.token, uin)) : record;
      const added = await putAccount(props.token, uin, input);
      setF(EMPTY_FIELDS);
      props.onDone(`Account ${uin} ${added ? 'added' : 'replaced'}.`);
    } catch (err) {
      if (err instanceof ApiError && err.isAuth) props.onAuthFailed(err);
      else setError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="add-form" onSubmit={e => void submit(e)} aria-labelledby="add-title" noValidate>
      <h2 id="add-title">Add account</h2>
      <div class="fields">
        <Field label="uin">
          {id => (
            <input
              id={id}
              name="uin"
              inputMode="numeric"
              autoComplete="off"
              required
              value={f.uin}
              onInput={text('uin')}
            />
          )}
        </Field>
        <Field label="Driver">
          {id => (
            <select
              id={id}
              name="driver"
              value={f.driver}
              onChange={e => set('driver', e.currentTarget.value as AccountFields['driver'])}
            >
              <option value="simulator">simulator</option>
              <option value="onebot">onebot (upstream)</option>
            </select>
          )}
        </Field>
        {f.driver === 'simulator' && (
          <Field label="Simulator URL" class="wide">
            {id => (
              <input
                id={id}
                name="simUrl"
                type="url"
                placeholder="http://127.0.0.1:5900 (the driver's default)"
                value={f.simUrl}
                onInput={text('simUrl')}
              />
            )}
          </Field>
        )}
        {f.driver === 'onebot' && (
          <Field label="Mode">
            {id => (
              <select
                id={id}
                name="mode"
                value={f.mode}
                onChange={e => set('mode', e.currentTarget.value as AccountFields['mode'])}
              >
                <option value="forward">forward (worker connects)</option>
                <option value="reverse">reverse (upstream connects)</option>
              </select>
            )}
          </Field>
        )}
        {f.driver === 'onebot' && f.mode === 'forward' && (
          <Field label="Upstream URL" class="wide">
            {id => (
              <input
                id={id}
                name="url"
                type="url"
                placeholder="ws://host:3001"
                required
                value={f.url}
                onInput={text('url')}
              />
            )}
          </Field>
        )}
        {f.driver === 'onebot' && (
          <Field label={f.mode === 'forward' ? 'Token (optional)' : 'Token'}>
            {id => (
              <input
                id={id}
                name="upstreamToken"
                type="password"
                autoComplete="new-password"
                required={f.mode === 'reverse'}
                value={f.token}
                onInput={text('token')}
              />
            )}
          </Field>
        )}
        {f.driver === 'onebot' && (
          <Field label="Flavor">
            {id => (
              <>
                <input
                  id={id}
                  name="flavor"
                  list="flavors"
                  autoComplete="off"
                  value={f.flavor}
                  onInput={text('flavor')}
                />
                <datalist id="flavors">
                  {FLAVORS.map(x => (
                    <option key={x} value={x} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        )}
        <label class="check">
          <input
            type="checkbox"
            name="enabled"
            checked={f.enabled}
            onChange={e => set('enabled', e.currentTarget.checked)}
          />
          Enabled
        </label>
      </div>
      {replaces && (
        <p class="warn" role="note">
          Account {uin} exists: saving replaces its whole record (driver, options and endpoints).
        </p>
      )}
      {error && (
        <p class="error" role="alert" data-testid="add-error">
          {error}
        </p>
      )}
      <div class="buttons">
        <button type="submit" class="primary" disabled={saving}>
          {saving ? 'Saving…' : replaces ? 'Replace account' : 'Save account'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
