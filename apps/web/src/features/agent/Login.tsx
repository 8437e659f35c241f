import { useState, type FormEvent } from 'react';
import type { Me } from '@ringside/protocol';
import { refusalMessage, type ApiClient } from '../../core/api.js';

export function Login({ api, onSignedIn }: { api: ApiClient; onSignedIn(me: Me): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.login(username.trim().toLowerCase(), password);
      onSignedIn(r.user);
    } catch (err) {
      setError(refusalMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main>
      <form className="card" aria-label="Sign in" onSubmit={(e) => void submit(e)}>
        <h1>Ringside agent sign-in</h1>
        <div className="row">
          <label>
            Username
            <input
              name="username"
              autoComplete="username"
              required
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </label>
        </div>
        <div className="row">
          <label>
            Password
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
        </div>
        <button className="primary" type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p role="alert" className="notice error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
