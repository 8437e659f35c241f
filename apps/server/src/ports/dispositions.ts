import type { CampaignId } from '@ringside/protocol';

/**
 * Disposition and pause codes (adapters/postgres/dispositions.ts): each is system-wide
 * (campaignId null) or a campaign's own, and a campaign's code hides the system code of the
 * same name.
 */

/** What an agent chooses at the end of a call; campaignId null: system-wide. */
export interface Disposition {
  id: string;
  campaignId: CampaignId | null;
  code: string;
  name: string;
  /** Counts as a human answer in the drop-rate denominator and contact KPIs. */
  humanAnswered: boolean;
  sale: boolean;
  /** Adds the number to the campaign's DNC list. */
  dnc: boolean;
  /** Asks for a callback time. */
  callback: boolean;
  /** The lead is never dialed again. */
  final: boolean;
  sortOrder: number;
}

export interface NewDisposition {
  campaignId?: string | null;
  code: string;
  name: string;
  humanAnswered?: boolean;
  sale?: boolean;
  dnc?: boolean;
  callback?: boolean;
  final?: boolean;
  sortOrder?: number;
}
export type DispositionPatch = Partial<Omit<NewDisposition, 'campaignId' | 'code'>>;

/** A reason an agent gives for a pause; campaignId null: system-wide. */
export interface PauseCode {
  id: string;
  campaignId: CampaignId | null;
  code: string;
  name: string;
  /** Paid time (training, meeting) as opposed to unpaid breaks. */
  billable: boolean;
  /** Minutes per day an agent may spend in this pause; null: no limit. */
  dailyLimitMin: number | null;
}

export interface NewPauseCode {
  campaignId?: string | null;
  code: string;
  name: string;
  billable?: boolean;
  dailyLimitMin?: number | null;
}
export type PauseCodePatch = Partial<Omit<NewPauseCode, 'campaignId' | 'code'>>;

/** The CRUD both kinds of code share. */
export interface ScopedCodesRepo<T, New, Patch> {
  create(input: New): Promise<T>;
  /** NotFoundError when the row does not exist. */
  update(id: string, patch: Patch): Promise<T>;
  remove(id: string): Promise<boolean>;
  /**
   * The codes an agent of the campaign may choose: the system-wide ones and the campaign's (a
   * campaign code hides the system code of the same name). Without a campaign: the system-wide
   * ones.
   */
  forCampaign(campaignId: string | null): Promise<T[]>;
  get(id: string): Promise<T | null>;
  /** The rows of one scope only: the system-wide ones (null) or the campaign's own. */
  inScope(campaignId: string | null): Promise<T[]>;
}

export interface DispositionsRepo extends ScopedCodesRepo<
  Disposition,
  NewDisposition,
  DispositionPatch
> {
  findByCode(campaignId: string | null, code: string): Promise<Disposition | null>;
  /**
   * Campaigns whose wrap-up default disposition would be left without a definition if this
   * row went: for a system-wide code, the campaigns using it that have no code of their own by
   * that name; for a campaign's code, that campaign when there is no system-wide fallback.
   */
  wrapupDefaultUsers(
    d: Pick<Disposition, 'campaignId' | 'code'>,
  ): Promise<Array<{ id: string; name: string }>>;
}

export type PauseCodesRepo = ScopedCodesRepo<PauseCode, NewPauseCode, PauseCodePatch>;
