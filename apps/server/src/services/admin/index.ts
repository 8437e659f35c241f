/**
 * Admin: two-factor sign-in (TOTP and recovery codes) and the demo data `npm start` seeds.
 * Two-factor's storage is a port (ports/two-factor.ts); the seed writes its rows through a pg pool.
 */
export { seedDemo, simAgentPhone, type SeedDemoResult } from './demo-seed.js';
export {
  TwoFactorInvalidError,
  TwoFactorService,
  totpCode,
  type TwoFactorUser,
} from './two-factor.js';
