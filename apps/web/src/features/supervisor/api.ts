import {
  AgentSessionResponse,
  Campaign,
  MonitorResponse,
  MonitorStopResponse,
  PhoneConfig,
  TelephonyStatusResponse,
  RosterResponse,
  WallThresholds,
  type CampaignDialBody,
  type MonitorMode,
} from '@ringside/protocol';
import { refusalError } from '../../core/api.js';

type Schema<T> = { parse(v: unknown): T };

/** The supervisor routes (same origin, session cookie); answers validated like the agent API's. */
export class SupervisorApi {
  constructor(private readonly baseUrl = '') {}

  private async call<T>(method: string, path: string, schema: Schema<T>, body?: unknown) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) throw refusalError(res.status, json, `${method} ${path}`);
    return schema.parse(json);
  }

  /** The supervisor's phone for monitoring calls (MonitorPhone.tsx). */
  phone() {
    return this.call('GET', '/api/supervisor/phone', PhoneConfig);
  }
  /** The phone servers: up or down, codecs, missing modules (TelephonyStatus.tsx). */
  telephony() {
    return this.call('GET', '/api/supervisor/telephony', TelephonyStatusResponse);
  }
  roster() {
    return this.call('GET', '/api/supervisor/roster', RosterResponse);
  }
  forcePause(agentId: string, code: string) {
    return this.call('POST', `/api/supervisor/agents/${agentId}/pause`, AgentSessionResponse, {
      code,
    });
  }
  forceLogout(agentId: string, hangupCall: boolean) {
    return this.call('POST', `/api/supervisor/agents/${agentId}/logout`, AgentSessionResponse, {
      hangupCall,
    });
  }
  monitor(agentId: string, mode: MonitorMode) {
    return this.call('POST', `/api/supervisor/agents/${agentId}/monitor`, MonitorResponse, {
      mode,
    });
  }
  stopMonitor(agentId: string) {
    return this.call('DELETE', `/api/supervisor/agents/${agentId}/monitor`, MonitorStopResponse);
  }
  /** The campaign's wall thresholds (ThresholdsEditor.tsx). */
  thresholds(campaignId: string) {
    return this.call('GET', `/api/supervisor/campaigns/${campaignId}/thresholds`, WallThresholds);
  }
  setThresholds(campaignId: string, body: WallThresholds) {
    return this.call(
      'PUT',
      `/api/supervisor/campaigns/${campaignId}/thresholds`,
      WallThresholds,
      body,
    );
  }
  setDialing(campaignId: string, body: CampaignDialBody) {
    return this.call('PATCH', `/api/supervisor/campaigns/${campaignId}/dialing`, Campaign, body);
  }
}
