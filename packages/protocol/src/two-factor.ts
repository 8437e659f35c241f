import { z } from 'zod';
import { LoginResponse, Username } from './http.js';

/**
 * Two-factor sign-in (docs/security.md, "Two-factor sign-in"; docs/api.md). A code is a 6-digit
 * TOTP code or a recovery code (xxxxx-xxxxx).
 */
export const TwoFactorCode = z
  .string()
  .trim()
  .min(6, 'must be a 6-digit code or a recovery code')
  .max(16, 'must be a 6-digit code or a recovery code');

/** POST /api/auth/2fa/setup: the password again (there is no session before enrolment). */
export const TwoFactorSetupBody = z
  .object({ username: Username, password: z.string().min(1).max(256) })
  .strict();
export type TwoFactorSetupBody = z.infer<typeof TwoFactorSetupBody>;

/** The secret to add to an authenticator app; shown once, never returned again. */
export const TwoFactorSetupResponse = z.object({
  secret: z.string(),
  otpauthUrl: z.string(),
  /** The otpauth URL as a QR code (data:image/png;base64,...). */
  qrDataUrl: z.string(),
});
export type TwoFactorSetupResponse = z.infer<typeof TwoFactorSetupResponse>;

/** POST /api/auth/2fa/confirm: the password and a first code of the new secret. */
export const TwoFactorConfirmBody = TwoFactorSetupBody.extend({ code: TwoFactorCode }).strict();
export type TwoFactorConfirmBody = z.infer<typeof TwoFactorConfirmBody>;

/** POST /api/me/2fa/confirm, POST /api/me/2fa/disable: a code. */
export const TwoFactorCodeBody = z.object({ code: TwoFactorCode }).strict();
export type TwoFactorCodeBody = z.infer<typeof TwoFactorCodeBody>;

/** Single-use recovery codes, shown once at enrolment. */
export const RecoveryCodesResponse = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodesResponse = z.infer<typeof RecoveryCodesResponse>;

/** GET /api/me/2fa. */
export const TwoFactorStatus = z.object({
  enabled: z.boolean(),
  /** Whether this user must have it (admins, unless REQUIRE_ADMIN_2FA=false). */
  required: z.boolean(),
  recoveryCodesLeft: z.number().int(),
});
export type TwoFactorStatus = z.infer<typeof TwoFactorStatus>;

/** POST /api/auth/2fa/confirm: signed in (as POST /api/auth/login), with the recovery codes. */
export const TwoFactorConfirmResponse = LoginResponse.extend({
  recoveryCodes: z.array(z.string()),
});
export type TwoFactorConfirmResponse = z.infer<typeof TwoFactorConfirmResponse>;
