import { useEffect, useMemo, useState } from 'react';
import { unwrap } from '#sdk';
import { connect, describeError, type RevelaClient, type Schemas } from './api.js';
import { ClinicScreens } from './clinic/ClinicScreens.js';
import { clearKey, loadKey, maskKey, saveKey } from './session.js';
import { SignIn } from './SignIn.js';
import { StudioScreens } from './studio/StudioScreens.js';

type Tenant = Schemas['TenantDto'];

/** Signs in with an API key, then shows the screens of the tenant's kind (clinic or studio). */
export function App() {
  const [key, setKey] = useState(loadKey);
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [error, setError] = useState<string | null>(null);
  const client = useMemo<RevelaClient | null>(() => (key ? connect(key) : null), [key]);

  useEffect(() => {
    if (!client) return;
    let live = true;
    unwrap(client.GET('/v1/tenant')).then(
      (found) => live && setTenant(found),
      (failure: unknown) => {
        if (!live) return;
        clearKey();
        setKey(null);
        setError(describeError(failure));
      },
    );
    return () => {
      live = false;
    };
  }, [client]);

  const signOut = () => {
    clearKey();
    setKey(null);
    setTenant(null);
    window.location.hash = '';
  };

  if (!key || !client) {
    return (
      <SignIn
        error={error}
        onKey={(entered) => {
          saveKey(entered);
          setError(null);
          setKey(entered);
        }}
      />
    );
  }
  if (!tenant) return <p className="loading">Signing in…</p>;
  return (
    <>
      <header className="top">
        <a className="brand" href="#/">
          Revela
        </a>
        <span className="tenant">
          {tenant.name} <span className="kind">({tenant.kind})</span>
        </span>
        <span className="key" aria-label="API key">
          {maskKey(key)}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>{tenant.kind === 'clinic' ? <ClinicScreens client={client} /> : <StudioScreens client={client} />}</main>
    </>
  );
}
