import { useState, type FormEvent } from 'react';
import type { Me, TwoFactorSetupResponse } from '@ringside/protocol';
import { AuthenticatorKey, RecoveryCodeList } from '../../app/TwoFactorParts.js';
import { LiveRegion, useDocumentTitle } from '../../app/ui.js';
import { ApiError, refusalMessage, type ApiClient } from '../../core/api.js';

/**
 * Sign-in: the password, then (docs/security.md, "Two-factor sign-in") the code of the
 * authenticator app when the account has a second factor, or, for an admin who has none yet,
 * the enrolment: a QR code (and its secret to type), a first code, then the recovery codes,
 * shown this once.
 */
type Step =
  | { kind: 'password' }
  | { kind: 'code' }
  | { kind: 'enrol'; setup: TwoFactorSetupResponse }
  | { kind: 'recovery'; codes: string[]; me: Me };

export function Login({ api, onSignedIn }: { api: ApiClient; onSignedIn(me: Me): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const user = username.trim().toLowerCase();
  useDocumentTitle(
    step.kind === 'recovery'
      ? 'Recovery codes — Ringside'
      : step.kind === 'enrol'
        ? 'Two-factor set-up — Ringside'
        : step.kind === 'code'
          ? 'Sign-in code — Ringside'
          : 'Sign in — Ringside',
  );

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'TWO_FACTOR_REQUIRED') {
        setStep({ kind: 'code' });
        setCode('');
      } else if (err instanceof ApiError && err.code === 'TWO_FACTOR_ENROLMENT_REQUIRED') {
        try {
          setStep({ kind: 'enrol', setup: await api.twoFactorSetup(user, password) });
          setCode('');
        } catch (setupErr) {
          setError(refusalMessage(setupErr));
        }
      } else if (err instanceof ApiError && err.code === 'TWO_FACTOR_INVALID') {
        setError(`${err.message}: try the next code`);
      } else {
        setError(refusalMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (step.kind === 'enrol') {
        const r = await api.twoFactorConfirm(user, password, code.trim());
        setStep({ kind: 'recovery', codes: r.recoveryCodes, me: r.user });
        return;
      }
      const r = await api.login(user, password, step.kind === 'code' ? code.trim() : undefined);
      onSignedIn(r.user);
    });
  };

  if (step.kind === 'recovery') {
    return (
      <main>
        <section className="card" aria-label="Recovery codes">
          <h1>Save your recovery codes</h1>
          <p>
            Each code signs you in once if you lose your phone. They are shown only now: print them
            or keep them in a password manager.
          </p>
          <RecoveryCodeList codes={step.codes} className="recovery-codes" />
          <button className="primary" type="button" onClick={() => onSignedIn(step.me)}>
            I have saved them, continue
          </button>
        </section>
      </main>
    );
  }

  const codeField = (
    <SignInField
      label="Code"
      name="code"
      inputMode="text"
      autoComplete="one-time-code"
      autoFocus
      value={code}
      onChange={setCode}
    />
  );

  return (
    <main>
      <form className="card" aria-label="Sign in" onSubmit={submit}>
        <h1>Ringside agent sign-in</h1>
        {step.kind === 'password' && (
          <>
            <SignInField
              label="Username"
              name="username"
              autoComplete="username"
              autoFocus
              value={username}
              onChange={setUsername}
            />
            <SignInField
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={setPassword}
            />
            <button className="primary" type="submit" disabled={busy}>
              Sign in
            </button>
          </>
        )}
        {step.kind === 'code' && (
          <>
            <p>
              Enter the 6-digit code from your authenticator app, or one of your recovery codes.
            </p>
            {codeField}
            <button className="primary" type="submit" disabled={busy}>
              Verify
            </button>
          </>
        )}
        {step.kind === 'enrol' && (
          <>
            <p>
              Admins sign in with a second factor. Scan this QR code with an authenticator app (or
              type the key), then enter the code it shows.
            </p>
            <AuthenticatorKey setup={step.setup} sizePx={200} testId="totp-secret" />
            {codeField}
            <button className="primary" type="submit" disabled={busy}>
              Turn on two-factor sign-in
            </button>
          </>
        )}
        <LiveRegion message={error} role="alert" className="notice error" />
      </form>
    </main>
  );
}

/** One required sign-in field: its label wraps the input, on a row of its own. */
function SignInField(props: {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  autoComplete: string;
  type?: 'password';
  inputMode?: 'text';
  autoFocus?: boolean;
}) {
  return (
    <div className="row">
      <label>
        {props.label}
        <input
          name={props.name}
          type={props.type}
          inputMode={props.inputMode}
          autoComplete={props.autoComplete}
          required
          autoFocus={props.autoFocus}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      </label>
    </div>
  );
}
