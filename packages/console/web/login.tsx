/**
 * The login form: the admin token (GATEWAY_ADMIN_TOKEN) is checked by fetching the fleet once;
 * on a 200 it is kept in sessionStorage (for this tab, never in a URL) and the fleet view opens.
 */
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, authMessage, fetchFleet } from './api.js';
import type { FleetSnapshot } from './fleet-model.js';

export interface LoginProps {
  /** Why the last session ended (a refused token), shown until the next try. */
  notice: string | null;
  onLogin: (token: string, first: FleetSnapshot) => void;
}

export function Login({ notice, onLogin }: LoginProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [checking, setChecking] = useState(false);
  const field = useRef<HTMLInputElement>(null);

  useEffect(() => field.current?.focus(), []);

  const submit = async (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Enter the admin token.');
      field.current?.focus();
      return;
    }
    setChecking(true);
    setError(null);
    try {
      const first = await fetchFleet(value);
      onLogin(value, first);
    } catch (err) {
      setError(
        err instanceof ApiError ? (err.isAuth ? authMessage(err) : err.message) : String(err),
      );
      setChecking(false);
      field.current?.select();
    }
  };

  return (
    <main class="login">
      <form class="login-form" onSubmit={e => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">cqfleet console</h1>
        <p class="muted">
          Log in with the gateway&apos;s admin token (<code>GATEWAY_ADMIN_TOKEN</code>). It is kept
          in this tab only.
        </p>
        {/* For password managers: the token belongs to the gateway's admin, not to a person. */}
        <input type="text" name="username" autoComplete="username" value="admin" hidden readOnly />
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          ref={field}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'login-error' : undefined}
          value={token}
          onInput={e => setToken(e.currentTarget.value)}
        />
        {error && (
          <p id="login-error" class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
