/**
 * The operator console's entry: the login form until an admin token is accepted, then the
 * fleet view. A token refused later (rotated, or the console switched off) ends the session
 * with the gateway's reason on the login form.
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { authMessage, tokenStore, type ApiError } from './api.js';
import type { FleetSnapshot } from './fleet-model.js';
import { FleetView } from './fleet-view.js';
import { Login } from './login.js';
import './styles.css';
import './table.css';
import './panels.css';
import './chat.css';

interface Session {
  token: string;
  /** The snapshot the login fetched, shown at once. */
  first: FleetSnapshot | null;
}

function App() {
  const [session, setSession] = useState<Session | null>(() => {
    const token = tokenStore.get();
    return token ? { token, first: null } : null;
  });
  const [notice, setNotice] = useState<string | null>(null);

  if (!session)
    return (
      <Login
        notice={notice}
        onLogin={(token, first) => {
          tokenStore.set(token);
          setNotice(null);
          setSession({ token, first });
        }}
      />
    );
  return (
    <FleetView
      key={session.token}
      token={session.token}
      first={session.first}
      onLogout={() => {
        tokenStore.clear();
        setNotice(null);
        setSession(null);
      }}
      onAuthFailed={(err: ApiError) => {
        tokenStore.clear();
        setNotice(authMessage(err));
        setSession(null);
      }}
    />
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
