import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { authenticator } from 'otplib';
import QRCode from 'qrcode';
import type { Role } from '@ringside/protocol';
import type { TwoFactorRepo } from '../../ports/two-factor.js';
import { ConflictError, errorKind, ForbiddenError, RingsideError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';

/** The password was right; the account has a second factor and no code came with it. */
export class TwoFactorRequiredError extends errorKind('TWO_FACTOR_REQUIRED', 401) {}

/** The code (TOTP or recovery code) is wrong, expired or already used. */
export class TwoFactorInvalidError extends errorKind('TWO_FACTOR_INVALID', 401) {}

/** An admin without a second factor: enrol first (POST /api/auth/2fa/setup), nothing else. */
export class TwoFactorEnrolmentRequiredError extends errorKind(
  'TWO_FACTOR_ENROLMENT_REQUIRED',
  403,
) {}

/** TOTP parameters (RFC 6238 defaults, what every authenticator app reads from the QR code). */
const STEP_MS = 30_000;
/** Codes of the previous and next step are accepted too (clock drift of the phone). */
const WINDOW = 1;
/** Recovery codes made at enrolment. */
export const RECOVERY_CODES = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const ISSUER = 'Ringside';

export interface TwoFactorUser {
  id: string;
  username: string;
  role: Role;
}

export interface TwoFactorOptions {
  repo: TwoFactorRepo;
  clock: Clock;
  /** REQUIRE_ADMIN_2FA: admins must have a second factor to sign in (default true). */
  requireForAdmins?: boolean;
  /**
   * TWO_FACTOR_KEY: secrets are stored AES-256-GCM encrypted under (SHA-256 of) it; absent,
   * they are stored as they are (docs/security.md says to set it).
   */
  encryptionKey?: string | null;
}

export interface Enrolment {
  /** Base32, for typing into an app by hand; shown once, never again. */
  secret: string;
  otpauthUrl: string;
  /** The otpauth URL as a QR code image (data:image/png;base64,...). */
  qrDataUrl: string;
}

/**
 * Two-factor sign-in (docs/security.md, "Two-factor sign-in"): TOTP (RFC 6238, otplib) plus
 * single-use recovery codes. Required for admins (unless REQUIRE_ADMIN_2FA=false), optional for
 * the others. A code is accepted once: the repository keeps the last accepted time step.
 */
export class TwoFactorService {
  private readonly key: Buffer | null;
  readonly requireForAdmins: boolean;

  constructor(private readonly o: TwoFactorOptions) {
    this.key = o.encryptionKey ? createHash('sha256').update(o.encryptionKey).digest() : null;
    this.requireForAdmins = o.requireForAdmins ?? true;
  }

  /** Whether this user must have a second factor. */
  required(user: Pick<TwoFactorUser, 'role'>): boolean {
    return user.role === 'admin' && this.requireForAdmins;
  }

  async status(userId: string): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
    const r = await this.o.repo.get(userId);
    return { enabled: Boolean(r?.secret), recoveryCodesLeft: r?.secret ? r.recoveryCodesLeft : 0 };
  }

  /**
   * The login step after a right password. Returns when the user may have a session; throws
   * TwoFactorRequiredError (no code given), TwoFactorInvalidError (wrong or reused code), or
   * TwoFactorEnrolmentRequiredError (an admin with no second factor yet).
   */
  async checkLogin(
    user: TwoFactorUser,
    code: string | undefined,
  ): Promise<'none' | 'totp' | 'recovery'> {
    const r = await this.o.repo.get(user.id);
    if (!r?.secret) {
      if (this.required(user)) {
        throw new TwoFactorEnrolmentRequiredError(
          'two-factor sign-in is required for admins: set it up first',
        );
      }
      return 'none';
    }
    if (code === undefined || code.trim() === '') {
      throw new TwoFactorRequiredError('enter the code from your authenticator app');
    }
    const c = code.replace(/[\s-]/g, '').toLowerCase();
    if (/^\d{6}$/.test(c)) {
      const step = this.stepOf(this.decrypt(r.secret), c);
      if (step !== null && (await this.o.repo.acceptStep(user.id, step))) return 'totp';
    } else if (/^[a-z0-9]{10}$/.test(c)) {
      for (const rc of await this.o.repo.unusedRecoveryCodes(user.id)) {
        if (await verifySafe(rc.hash, c)) {
          if (await this.o.repo.useRecoveryCode(rc.id)) return 'recovery';
        }
      }
    }
    throw new TwoFactorInvalidError('wrong or already used code');
  }

  /** Starts (or restarts) enrolment: a new pending secret. Refused when one is already set up. */
  async beginEnrolment(user: TwoFactorUser): Promise<Enrolment> {
    const r = await this.o.repo.get(user.id);
    if (r?.secret) {
      throw new ConflictError(
        'two-factor sign-in is already set up; an admin can reset it (a new phone, a lost one)',
      );
    }
    const secret = authenticator.generateSecret(20);
    await this.o.repo.setPending(user.id, this.encrypt(secret));
    const otpauthUrl = authenticator.keyuri(user.username, ISSUER, secret);
    const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2 });
    return { secret, otpauthUrl, qrDataUrl };
  }

  /**
   * Confirms enrolment with a first code of the pending secret; returns the recovery codes,
   * shown this once (only their hashes are kept).
   */
  async confirmEnrolment(user: TwoFactorUser, code: string): Promise<string[]> {
    const r = await this.o.repo.get(user.id);
    if (r?.secret) throw new ConflictError('two-factor sign-in is already set up');
    if (!r?.pendingSecret) {
      throw new ConflictError('no two-factor set-up in progress: start it first');
    }
    const c = code.replace(/\s/g, '');
    const step = /^\d{6}$/.test(c) ? this.stepOf(this.decrypt(r.pendingSecret), c) : null;
    if (step === null) throw new TwoFactorInvalidError('wrong code: check the phone’s clock');
    const codes = Array.from({ length: RECOVERY_CODES }, () => recoveryCode());
    const hashes = await Promise.all(codes.map((x) => hash(x.replace('-', ''))));
    if (!(await this.o.repo.activate(user.id, step, hashes))) {
      throw new ConflictError('no two-factor set-up in progress: start it first');
    }
    return codes;
  }

  /** The user turns their own second factor off (a code proves it is them); not admins. */
  async disable(user: TwoFactorUser, code: string): Promise<void> {
    if (this.required(user)) {
      throw new ForbiddenError('admins must keep two-factor sign-in; another admin can reset it');
    }
    await this.checkLogin(user, code);
    await this.o.repo.reset(user.id);
  }

  /** An admin removes a user's second factor (the caller audits it). */
  async reset(userId: string): Promise<boolean> {
    const r = await this.o.repo.get(userId);
    if (!r) return false;
    await this.o.repo.reset(userId);
    return true;
  }

  /** Enrols a user with a given secret at once (demo seed, tests); returns the recovery codes. */
  async enrolWithSecret(user: TwoFactorUser, secret: string): Promise<string[]> {
    await this.o.repo.setPending(user.id, this.encrypt(secret));
    const codes = Array.from({ length: RECOVERY_CODES }, () => recoveryCode());
    const hashes = await Promise.all(codes.map((x) => hash(x.replace('-', ''))));
    await this.o.repo.activate(user.id, Math.floor(this.o.clock.nowMs() / STEP_MS) - 2, hashes);
    return codes;
  }

  /** The time step the code belongs to (inside the window), or null. */
  private stepOf(secret: string, code: string): number | null {
    const now = this.o.clock.nowMs();
    const delta = authenticator.clone({ window: WINDOW, epoch: now }).checkDelta(code, secret);
    return delta === null ? null : Math.floor(now / STEP_MS) + delta;
  }

  private encrypt(secret: string): string {
    if (!this.key) return `plain:${secret}`;
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
    return `v1:${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64')}`;
  }

  private decrypt(stored: string): string {
    if (stored.startsWith('plain:')) return stored.slice(6);
    if (!stored.startsWith('v1:') || !this.key) {
      throw new TwoFactorKeyError(
        'a stored two-factor secret is encrypted but TWO_FACTOR_KEY is not set',
      );
    }
    const raw = Buffer.from(stored.slice(3), 'base64');
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch (err) {
      throw new TwoFactorKeyError('a stored two-factor secret does not open with TWO_FACTOR_KEY', {
        cause: err,
      });
    }
  }
}

/** The server's TWO_FACTOR_KEY is missing or changed: an operator error, not the user's. */
export class TwoFactorKeyError extends RingsideError {
  readonly code = 'TWO_FACTOR_KEY';
}

/** 10 characters from an unambiguous alphabet, shown as xxxxx-xxxxx (~49 bits). */
function recoveryCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

async function verifySafe(h: string, code: string): Promise<boolean> {
  try {
    return await verify(h, code);
  } catch {
    return false;
  }
}

/** A TOTP code of `secret` at `atMs` (tests, the demo's printed hint). */
export function totpCode(secret: string, atMs: number): string {
  return authenticator.clone({ epoch: atMs }).generate(secret);
}
