import { useState, type FormEvent } from 'react';
import { ErrorNotice } from './ui/ErrorNotice.js';

/** Paste an API key; it is kept for this browser session only. */
export function SignIn({ onKey, error }: { onKey: (key: string) => void; error: string | null }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) onKey(value.trim());
  };
  return (
    <main className="signin">
      <h1>Revela console</h1>
      <form onSubmit={submit}>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          placeholder="rvl_…"
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <p className="hint">Kept only for this browser session.</p>
        <ErrorNotice message={error} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
