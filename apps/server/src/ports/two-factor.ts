/** A user's second factor as stored; secrets are in their stored (encrypted) form. */
export interface TwoFactorRecord {
  secret: string | null;
  pendingSecret: string | null;
  enabledAtMs: number | null;
  lastStep: number | null;
  recoveryCodesLeft: number;
}

/** The TOTP secret and recovery codes of users (users.totp_*, user_recovery_codes; 0031). */
export interface TwoFactorRepo {
  /** Null when the user does not exist. */
  get(userId: string): Promise<TwoFactorRecord | null>;
  setPending(userId: string, storedSecret: string): Promise<void>;
  /**
   * Makes the pending secret the user's second factor, with these recovery code hashes (the old
   * ones are dropped) and `step` as its last accepted time step. False when nothing was pending.
   */
  activate(userId: string, step: number, codeHashes: readonly string[]): Promise<boolean>;
  /** Records `step` as accepted; false when a code of this step or a later one was (a replay). */
  acceptStep(userId: string, step: number): Promise<boolean>;
  /** The user's unused recovery codes. */
  unusedRecoveryCodes(userId: string): Promise<{ id: string; hash: string }[]>;
  /** Marks a recovery code used; false when it already was (two logins racing). */
  useRecoveryCode(id: string): Promise<boolean>;
  /** Removes the second factor (secret, pending secret, recovery codes). */
  reset(userId: string): Promise<void>;
}
