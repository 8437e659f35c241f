import type { TwoFactorSetupResponse } from '@ringside/protocol';

/**
 * The pieces of two-factor enrolment that sign-in (features/agent/Login.tsx) and the user's own
 * settings (MyTwoFactor.tsx) both show: the authenticator key, and the recovery codes shown once.
 */

/** The QR code of the authenticator key, and the key itself to type. */
export function AuthenticatorKey(props: {
  setup: TwoFactorSetupResponse;
  /** Width and height of the QR code, px. */
  sizePx: number;
  testId: string;
}) {
  return (
    <>
      <img
        src={props.setup.qrDataUrl}
        alt="QR code of the authenticator key"
        width={props.sizePx}
        height={props.sizePx}
      />
      <p>
        Key: <code data-testid={props.testId}>{props.setup.secret}</code>
      </p>
    </>
  );
}

/** The recovery codes, one a line. */
export function RecoveryCodeList(props: { codes: readonly string[]; className?: string }) {
  return (
    <ul className={props.className} aria-label="Recovery code list">
      {props.codes.map((c) => (
        <li key={c}>
          <code>{c}</code>
        </li>
      ))}
    </ul>
  );
}
