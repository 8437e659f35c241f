import type { FastifyInstance } from 'fastify';
import {
  CallIdParams,
  CallResponse,
  DialBody,
  DtmfBody,
  OkResponse,
  PhoneConfig,
  PhoneLegResponse,
  PreviewResponse,
  ToggleBody,
  TransferBody,
  TransferTargetsResponse,
} from '@ringside/protocol';
import type { CallId, TransferTargetAgent } from '@ringside/protocol';
import {
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
} from '../../errors.js';
import { agentIdOf, type SessionUser } from '../auth.js';
import type { AgentTelephony, AppDeps } from '../deps.js';
import { defineRoute } from '../route.js';
import { callView } from '../views.js';
import { AGENT_ONLY } from './common.js';
import { leadView } from './leads.js';

/**
 * The agent's phone leg, its call controls, manual dial and preview. Telephony itself is behind
 * the AgentTelephony dependency; these routes validate, check that the call is the agent's own,
 * and answer 503 while no implementation is wired.
 */
export function registerTelephonyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const tags = ['agent'];
  const tel = (): AgentTelephony => {
    if (!deps.telephony) throw new UnavailableError('telephony commands are not available');
    return deps.telephony;
  };
  const me = (user: SessionUser | null) => {
    if (!user) throw new UnauthorizedError('sign in first');
    return agentIdOf(user);
  };
  /** The call must be the agent's current call (reserved, in call, dead or in wrap-up). */
  const ownCall = async (user: SessionUser | null, callId: string): Promise<CallId> => {
    const agentId = me(user);
    const status = await deps.stateStore.getAgent(agentId);
    if (status?.callId === callId) return callId as CallId;
    const call = await deps.stateStore.getCall(callId as CallId);
    if (!call) throw new NotFoundError('call not found');
    if (call.agentId !== agentId) throw new ForbiddenError('not your call');
    return call.callId;
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/agent/phone',
    auth: AGENT_ONLY,
    summary: "How the agent's audio reaches calls (softphone account, simulated leg, own phone).",
    tags,
    response: PhoneConfig,
    handler: async ({ user }) => {
      if (user?.phoneType === 'sip') return { mode: 'external', sip: null };
      return tel().phoneConfig(me(user), user?.phoneType ?? 'webrtc');
    },
  });

  for (const [action, fn] of [
    ['connect', (t: AgentTelephony, a: ReturnType<typeof me>) => t.connectLeg(a)],
    ['disconnect', (t: AgentTelephony, a: ReturnType<typeof me>) => t.disconnectLeg(a)],
  ] as const) {
    defineRoute(app, {
      method: 'POST',
      url: `/api/agent/phone/${action}`,
      auth: AGENT_ONLY,
      summary: `${action === 'connect' ? 'Bring up' : 'Tear down'} the agent's phone leg.`,
      tags,
      response: PhoneLegResponse,
      handler: async ({ user }) => ({ leg: await fn(tel(), me(user)) }),
    });
  }

  const control = <B extends typeof ToggleBody | typeof DtmfBody | typeof TransferBody>(
    path: string,
    summary: string,
    body: B | undefined,
    run: (
      t: AgentTelephony,
      agentId: ReturnType<typeof me>,
      callId: CallId,
      body: unknown,
    ) => Promise<void>,
  ) =>
    defineRoute(app, {
      method: 'POST',
      url: `/api/agent/calls/:callId/${path}`,
      auth: AGENT_ONLY,
      summary,
      tags,
      params: CallIdParams,
      ...(body ? { body } : {}),
      response: OkResponse,
      handler: async (ctx) => {
        const callId = await ownCall(ctx.user, ctx.params.callId);
        await run(tel(), me(ctx.user), callId, ctx.body);
        return { ok: true };
      },
    });

  control('hangup', "End the customer's leg (the agent's line stays up).", undefined, (t, a, c) =>
    t.hangup(a, c),
  );
  control(
    'hold',
    'Put the customer on hold ({on: true}) or take them off.',
    ToggleBody,
    (t, a, c, b) => t.hold(a, c, (b as ToggleBody).on),
  );
  control('mute', "Mute the agent's microphone on the call.", ToggleBody, (t, a, c, b) =>
    t.mute(a, c, (b as ToggleBody).on),
  );
  control('dtmf', 'Send DTMF digits to the customer.', DtmfBody, (t, a, c, b) =>
    t.dtmf(a, c, (b as DtmfBody).digits),
  );
  control(
    'transfer',
    'Blind or warm transfer to an agent or a number.',
    TransferBody,
    (t, a, c, b) => t.transfer(a, c, b as TransferBody),
  );
  defineRoute(app, {
    method: 'GET',
    url: '/api/agent/transfer-targets',
    auth: AGENT_ONLY,
    summary: 'The other logged-in agents a call may be transferred to: READY first, then by name.',
    tags,
    response: TransferTargetsResponse,
    handler: async ({ user }) => {
      const self = me(user);
      // The live state is Redis; only the display names come from PostgreSQL (not in the store).
      const others = (await deps.stateStore.listAgents()).filter(
        (a) => a.agentId !== self && a.state !== 'LOGGED_OUT',
      );
      const users = await deps.users.findByIds(others.map((a) => a.agentId));
      return {
        agents: others
          .map((a): TransferTargetAgent => ({
            agentId: a.agentId,
            displayName: users.get(a.agentId)?.displayName ?? `Agent ${a.agentId}`,
            state: a.state,
            campaignId: a.campaignId,
            available: a.state === 'READY' && a.legChannelId !== null,
          }))
          .sort(byReadyThenName),
      };
    },
  });

  control(
    'transfer/complete',
    'Complete a warm transfer (the agent leaves).',
    undefined,
    (t, a, c) => t.transferComplete(a, c),
  );
  control(
    'transfer/cancel',
    'Cancel a warm transfer (back to the customer).',
    undefined,
    (t, a, c) => t.transferCancel(a, c),
  );

  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/dial',
    auth: AGENT_ONLY,
    summary:
      'Manual dial of a lead or a number; 422 COMPLIANCE when DNC or the calling window forbid it.',
    tags,
    body: DialBody,
    response: CallResponse,
    handler: async ({ user, body }) => {
      const { callId } = await tel().dial(me(user), body);
      const call = await deps.stateStore.getCall(callId);
      if (!call) throw new UnavailableError('the call was placed but is not visible yet');
      return { call: callView(call) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/agent/preview',
    auth: AGENT_ONLY,
    summary: 'The next lead the agent may preview before dialing it (null when none).',
    tags,
    response: PreviewResponse,
    handler: async ({ user }) => {
      const leadId = await tel().preview(me(user));
      if (!leadId) return { lead: null };
      const lead = await deps.leads.get(leadId);
      return { lead: lead ? leadView(lead) : null };
    },
  });
}

const names = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** The transfer picker's order: READY agents first, then by display name (id breaks ties). */
function byReadyThenName(a: TransferTargetAgent, b: TransferTargetAgent): number {
  const ready = Number(b.state === 'READY') - Number(a.state === 'READY');
  return (
    ready || names.compare(a.displayName, b.displayName) || names.compare(a.agentId, b.agentId)
  );
}
