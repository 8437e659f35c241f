/**
 * Admin: two-factor sign-in (TOTP and recovery codes) and the demo data `npm start` seeds.
 * Owns no storage: its repository is a port (ports/two-factor.ts); wired in roles/api.ts.
 */
export { seedDemo, simAgentPhone, type SeedDemoResult } from './demo-seed.js';
export {
  TwoFactorInvalidError,
  TwoFactorService,
  totpCode,
  type TwoFactorUser,
} from './two-factor.js';
