import { useCallback, useEffect, useState } from 'react';
import type { TwoFactorSetupResponse, TwoFactorStatus } from '@ringside/protocol';
import { refusalMessage, type ApiClient } from '../core/api.js';
import { AuthenticatorKey, RecoveryCodeList } from './TwoFactorParts.js';
import { ErrorNotice } from './ui.js';

type Step =
  | { kind: 'status'; status: TwoFactorStatus }
  | { kind: 'enrol'; setup: TwoFactorSetupResponse }
  | { kind: 'recovery'; codes: string[] };

/**
 * The signed-in user's own two-factor sign-in (docs/security.md): its state, and for anyone who
 * may choose (agents, supervisors; admins must keep it) turning it on with a QR code and a first
 * code, the recovery codes shown once, or off with a code. Behind a disclosure, out of the way.
 */
export function MyTwoFactor(props: { api: ApiClient }) {
  const { api } = props;
  const [step, setStep] = useState<Step | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    () =>
      api
        .myTwoFactor()
        .then((status) => setStep({ kind: 'status', status }))
        .catch((err: unknown) => setError(refusalMessage(err))),
    [api],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      setCode('');
    } catch (err) {
      setError(refusalMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const codeField = (
    <label>
      Code from your authenticator app
      <input
        value={code}
        onChange={(e) => setCode(e.target.value.trim())}
        inputMode="numeric"
        autoComplete="one-time-code"
      />
    </label>
  );

  return (
    <details className="my-2fa">
      <summary>Two-factor sign-in</summary>
      {step?.kind === 'status' && (
        <>
          <p data-testid="my-2fa-state">
            {step.status.enabled
              ? `On (${step.status.recoveryCodesLeft} recovery codes left).`
              : 'Off: only your password protects this account.'}
            {step.status.required ? ' Required for your role.' : ''}
          </p>
          {!step.status.enabled && (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () =>
                  setStep({ kind: 'enrol', setup: await api.myTwoFactorSetup() }),
                )
              }
            >
              Set up two-factor sign-in
            </button>
          )}
          {step.status.enabled && !step.status.required && (
            <form
              aria-label="Turn off two-factor sign-in"
              onSubmit={(e) => {
                e.preventDefault();
                void run(async () => {
                  await api.myTwoFactorDisable(code);
                  await load();
                });
              }}
            >
              {codeField}
              <button type="submit" disabled={busy || code.length === 0}>
                Turn off
              </button>
            </form>
          )}
        </>
      )}
      {step?.kind === 'enrol' && (
        <form
          aria-label="Set up two-factor sign-in"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const r = await api.myTwoFactorConfirm(code);
              setStep({ kind: 'recovery', codes: r.recoveryCodes });
            });
          }}
        >
          <p>Scan this QR code with an authenticator app (or type the key), then enter its code.</p>
          <AuthenticatorKey setup={step.setup} sizePx={160} testId="my-totp-secret" />
          {codeField}
          <button type="submit" disabled={busy || code.length === 0}>
            Turn on
          </button>
        </form>
      )}
      {step?.kind === 'recovery' && (
        <>
          <p>
            Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs you in
            once if you lose your phone. They are shown only now.
          </p>
          <RecoveryCodeList codes={step.codes} />
          <button type="button" onClick={() => void load()}>
            Done
          </button>
        </>
      )}
      <ErrorNotice message={error} />
    </details>
  );
}
