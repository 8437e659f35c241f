import { z } from 'zod';
import {
  AgentSessionResponse,
  AmdMarkResponse,
  Campaign,
  CampaignList,
  CallResponse,
  ErrorBody,
  DispositionList,
  LeadList,
  LeadResponse,
  LoginResponse,
  Me,
  OkResponse,
  PauseCodeList,
  PhoneConfig,
  PhoneLegResponse,
  PreviewResponse,
  TransferTargetsResponse,
  TwoFactorConfirmResponse,
  TwoFactorSetupResponse,
  TwoFactorStatus,
  RecoveryCodesResponse,
  MyDayResponse,
  WrapupExtendResponse,
  type DialBody,
  type DispositionBody,
  type DispositionView,
  type LeadHistoryEntry,
  type LeadView,
  type PauseCodeView,
  type TransferBody,
} from '@ringside/protocol';

export type { PhoneConfig } from '@ringside/protocol';

/**
 * The typed HTTP client of the agent panel and the bot agents: every route the panel uses is
 * here, and every answer is validated against its schema before the caller sees it. The browser
 * authenticates with the session cookie (same origin); bots pass the login token (Bearer).
 * Routes and bodies: docs/api.md; schemas: packages/protocol/src/http.ts.
 */

/** An API refusal: HTTP status, the stable error code and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The ApiError for a refused request: the server's code, message and field issues when its body
 * is an ErrorBody, else the HTTP status. `what` names the request ("GET /api/me"). One mapping
 * for every client of the app (agent, admin, lists, reports, supervisor).
 */
export function refusalError(status: number, json: unknown, what: string): ApiError {
  const parsed = ErrorBody.safeParse(json);
  if (parsed.success) {
    const e = parsed.data.error;
    return new ApiError(status, e.code, e.message, e.issues ?? []);
  }
  return new ApiError(status, `HTTP_${status}`, `${what}: HTTP ${status}`);
}

/** A lead as the screen pop shows it, and one row of its history (lead_log). */
export type Lead = LeadView;
export type LeadLogEntry = LeadHistoryEntry;
export type Disposition = Pick<DispositionView, 'code' | 'name' | 'dnc' | 'callback' | 'uses30d'>;
export type PauseCode = Pick<PauseCodeView, 'code' | 'name'>;

export interface ApiClientOptions {
  /** '' in the browser (same origin), http://127.0.0.1:8080 for bots. */
  baseUrl: string;
  /** Bearer token (bots); the browser relies on the HttpOnly session cookie. */
  token?: string;
  fetchFn?: typeof fetch;
  /** Per request (ms). Default 10,000. */
  timeoutMs?: number;
}

type Schema<T> = { parse(v: unknown): T };

export class ApiClient {
  private token: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: ApiClientOptions) {
    this.token = opts.token;
    this.fetchFn = opts.fetchFn ?? ((...a) => fetch(...a));
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  private async call<T>(
    method: string,
    path: string,
    schema: Schema<T>,
    body?: unknown,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.opts.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', `the server could not be reached (${describe(err)})`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) throw refusalError(res.status, json, `${method} ${path}`);
    try {
      return schema.parse(json);
    } catch (err) {
      throw new ApiError(res.status, 'BAD_RESPONSE', `${method} ${path}: ${describe(err)}`);
    }
  }

  // --- auth
  /** `code`: the second factor (TOTP or recovery code) when the server asked for it. */
  login(username: string, password: string, code?: string) {
    return this.call('POST', '/api/auth/login', LoginResponse, {
      username,
      password,
      ...(code ? { code } : {}),
    });
  }
  /** Two-factor enrolment before any session (an admin told TWO_FACTOR_ENROLMENT_REQUIRED). */
  twoFactorSetup(username: string, password: string) {
    return this.call('POST', '/api/auth/2fa/setup', TwoFactorSetupResponse, { username, password });
  }
  twoFactorConfirm(username: string, password: string, code: string) {
    return this.call('POST', '/api/auth/2fa/confirm', TwoFactorConfirmResponse, {
      username,
      password,
      code,
    });
  }
  logout() {
    return this.call('POST', '/api/auth/logout', z.unknown());
  }

  // --- the signed-in user's own second factor (optional for non-admins)
  myTwoFactor() {
    return this.call('GET', '/api/me/2fa', TwoFactorStatus);
  }
  myTwoFactorSetup() {
    return this.call('POST', '/api/me/2fa/setup', TwoFactorSetupResponse, {});
  }
  myTwoFactorConfirm(code: string) {
    return this.call('POST', '/api/me/2fa/confirm', RecoveryCodesResponse, { code });
  }
  myTwoFactorDisable(code: string) {
    return this.call('POST', '/api/me/2fa/disable', OkResponse, { code });
  }
  me() {
    return this.call('GET', '/api/me', Me);
  }

  // --- campaigns
  campaigns() {
    return this.call('GET', '/api/campaigns', CampaignList);
  }
  campaign(id: string) {
    return this.call('GET', `/api/campaigns/${enc(id)}`, Campaign);
  }
  /** The campaign's dispositions, its most used of the last 30 days first (the agent's form). */
  dispositions(campaignId: string) {
    return this.call(
      'GET',
      `/api/campaigns/${enc(campaignId)}/dispositions?order=usage`,
      DispositionList,
    );
  }
  pauseCodes(campaignId: string) {
    return this.call('GET', `/api/campaigns/${enc(campaignId)}/pause-codes`, PauseCodeList);
  }

  // --- the agent's session
  session() {
    return this.call('GET', '/api/agent/session', AgentSessionResponse);
  }
  sessionLogin(campaignId: string) {
    return this.call('POST', '/api/agent/session/login', AgentSessionResponse, { campaignId });
  }
  ready() {
    return this.call('POST', '/api/agent/session/ready', AgentSessionResponse);
  }
  pause(code: string) {
    return this.call('POST', '/api/agent/session/pause', AgentSessionResponse, { code });
  }
  sessionLogout() {
    return this.call('POST', '/api/agent/session/logout', AgentSessionResponse);
  }
  dispose(body: DispositionBody) {
    return this.call('POST', '/api/agent/session/disposition', AgentSessionResponse, body);
  }
  /** Extends the agent's wrap-up by the campaign's extension (409 past its allowance). */
  extendWrapup() {
    return this.call('POST', '/api/agent/session/wrapup/extend', WrapupExtendResponse);
  }
  /** The agent's own day so far, "today" read in `timeZone` (the floor's: the browser's). */
  myDay(timeZone: string) {
    return this.call('GET', `/api/agent/my-day?tz=${enc(timeZone)}`, MyDayResponse);
  }

  // --- the agent's phone leg
  phone() {
    return this.call('GET', '/api/agent/phone', PhoneConfig);
  }
  /** Simulated PBX: asks the API to bring the agent's simulated phone leg up. */
  phoneConnect() {
    return this.call('POST', '/api/agent/phone/connect', PhoneLegResponse);
  }
  phoneDisconnect() {
    return this.call('POST', '/api/agent/phone/disconnect', PhoneLegResponse);
  }

  // --- the agent's own call
  getCall(callId: string) {
    return this.call('GET', `/api/calls/${enc(callId)}`, CallResponse);
  }
  /** Ends the customer's leg (never the agent's phone leg). */
  hangup(callId: string) {
    return this.call('POST', `/api/agent/calls/${enc(callId)}/hangup`, OkResponse, {});
  }
  hold(callId: string, on: boolean) {
    return this.call('POST', `/api/agent/calls/${enc(callId)}/hold`, OkResponse, { on });
  }
  mute(callId: string, on: boolean) {
    return this.call('POST', `/api/agent/calls/${enc(callId)}/mute`, OkResponse, { on });
  }
  /** The AMD audit: what answered a call AMD judged a machine. */
  amdMark(callId: string, mark: 'person' | 'machine') {
    return this.call('POST', `/api/agent/calls/${enc(callId)}/amd-mark`, AmdMarkResponse, {
      mark,
    });
  }
  dtmf(callId: string, digits: string) {
    return this.call('POST', `/api/agent/calls/${enc(callId)}/dtmf`, OkResponse, { digits });
  }
  transfer(callId: string, kind: TransferBody['kind'], to: TransferBody['to']) {
    return this.call('POST', `/api/agent/calls/${enc(callId)}/transfer`, OkResponse, {
      kind,
      to,
    });
  }
  /** The other logged-in agents for the transfer picker: READY first, then by name. */
  transferTargets() {
    return this.call('GET', '/api/agent/transfer-targets', TransferTargetsResponse);
  }
  /** Warm transfer: completes it (the agent leaves) or cancels it (back to the customer). */
  transferComplete(callId: string) {
    return this.call('POST', `/api/agent/calls/${enc(callId)}/transfer/complete`, OkResponse, {});
  }
  transferCancel(callId: string) {
    return this.call('POST', `/api/agent/calls/${enc(callId)}/transfer/cancel`, OkResponse, {});
  }

  // --- manual dial, preview, leads
  /** Dials a lead (by id) or a number; refused with 422 COMPLIANCE for DNC or calling window. */
  dial(target: DialBody) {
    return this.call('POST', '/api/agent/dial', CallResponse, target);
  }
  /** The next lead the agent may preview before dialing (null when the hopper is empty). */
  preview() {
    return this.call('POST', '/api/agent/preview', PreviewResponse);
  }
  lead(leadId: string) {
    return this.call('GET', `/api/leads/${enc(leadId)}`, LeadResponse);
  }
  /** Search by exact E.164 phone, or by name prefix (first or last name). */
  searchLeads(q: string) {
    const t = q.trim();
    const param = /^\+[1-9]\d{6,14}$/.test(t) ? 'phone' : 'name';
    return this.call('GET', `/api/leads?${param}=${encodeURIComponent(t)}&limit=50`, LeadList);
  }
}

const enc = encodeURIComponent;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The message to show a person for any failure of an action. */
export function refusalMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'COMPLIANCE' || err.code === 'ILLEGAL_TRANSITION') return err.message;
    if (err.status === 0) return err.message;
    if (err.status === 401) return 'Your session has ended: sign in again.';
    if (err.status === 403) return `Not allowed: ${err.message}`;
    if (err.status === 404 && err.code === 'NOT_FOUND' && err.message.startsWith('no route')) {
      return 'This action is not available on this server yet.';
    }
    return err.message;
  }
  return describe(err);
}
