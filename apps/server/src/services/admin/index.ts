/**
 * Admin: two-factor sign-in (TOTP and recovery codes); its storage is a port (ports/two-factor.ts).
 * The demo data `npm start` seeds is written by adapters/postgres/demo-seed.ts.
 */
export {
  TwoFactorInvalidError,
  TwoFactorService,
  totpCode,
  type TwoFactorUser,
} from './two-factor.js';
