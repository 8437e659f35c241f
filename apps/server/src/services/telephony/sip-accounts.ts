import { createHmac, randomBytes } from 'node:crypto';
import type { ConfigTuple } from '@ringside/ari';
import type { PhoneConfig } from '@ringside/protocol';
import type { DynamicConfigAri } from '../../ports/telephony.js';
import { isAriKind, isAriNotFound } from '../../ports/telephony-errors.js';
import { isTurnUrl, type SipConfig, type TurnAuth } from '../../config.js';
import { ConflictError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { systemClock, type Clock } from '../../ports/clock.js';

/** The browser softphone's account, as GET /api/agent/phone returns it. */
export type SoftphoneAccount = NonNullable<PhoneConfig['sip']>;

/** Sorcery's configuration class of PJSIP's objects. */
export const PJSIP_CLASS = 'res_pjsip';

/** Extension of context `agents` the softphone dials to hand its leg to Ringside. */
export const LOGIN_EXTEN = 'login';

/**
 * deploy/asterisk/pjsip.conf's `[webrtc-agent](!)` endpoint template, option for option and in
 * its order (deploy.int.test.ts keeps the two equal). ARI cannot create an object from a
 * template, so the options are sent with every endpoint.
 */
export const WEBRTC_AGENT_ENDPOINT: ReadonlyArray<ConfigTuple> = [
  { attribute: 'transport', value: 'transport-wss' },
  { attribute: 'context', value: 'agents' },
  { attribute: 'disallow', value: 'all' },
  // G.711 first: Asterisk bridges it with the trunk (ulaw,alaw) without any translation; Opus is
  // appended per account only where a running codec_opus was seen (webrtcAgentObjects).
  { attribute: 'allow', value: 'ulaw,alaw' },
  { attribute: 'webrtc', value: 'yes' },
  { attribute: 'use_avpf', value: 'yes' },
  { attribute: 'media_encryption', value: 'dtls' },
  { attribute: 'dtls_auto_generate_cert', value: 'yes' },
  { attribute: 'dtls_verify', value: 'fingerprint' },
  { attribute: 'dtls_setup', value: 'actpass' },
  { attribute: 'ice_support', value: 'yes' },
  { attribute: 'rtcp_mux', value: 'yes' },
  { attribute: 'media_use_received_transport', value: 'yes' },
  { attribute: 'max_audio_streams', value: '1' },
  { attribute: 'max_video_streams', value: '0' },
  { attribute: 'direct_media', value: 'no' },
];

/** `[webrtc-agent-auth](!)`. */
export const WEBRTC_AGENT_AUTH: ReadonlyArray<ConfigTuple> = [
  { attribute: 'auth_type', value: 'userpass' },
];

/**
 * `[webrtc-agent-aor](!)`: one registration per agent; a newer one (another tab, a reload)
 * replaces the old.
 */
export const WEBRTC_AGENT_AOR: ReadonlyArray<ConfigTuple> = [
  { attribute: 'max_contacts', value: '1' },
  { attribute: 'remove_existing', value: 'yes' },
  { attribute: 'qualify_frequency', value: '20' },
];

export interface PjsipObject {
  objectType: 'auth' | 'aor' | 'endpoint';
  id: string;
  fields: ConfigTuple[];
}

/** Random bytes in a password: 18 bytes = 144 bits, 24 characters of base64url. */
export const SIP_PASSWORD_BYTES = 18;

/**
 * The PJSIP endpoint (and auth, aor) id of a user's softphone: its username, the name every
 * other part of Ringside dials it by (PJSIP/<username>: the agent's leg on an external phone, the
 * supervisor's monitoring leg). Usernames are 2-64 of a-z 0-9 . _ - (users.username CHECK), safe
 * in a SIP URI, a sorcery id and an ARI path; anything else is refused here too.
 */
export function sipEndpointId(username: string): string {
  if (!/^[a-z0-9._-]{2,64}$/.test(username)) {
    throw new TypeError('a username must be 2-64 of a-z 0-9 . _ - to name a SIP endpoint');
  }
  return username;
}

/** A fresh password from `random` (node:crypto randomBytes unless a test injects one). */
export function newSipPassword(random: (bytes: number) => Buffer = randomBytes): string {
  return random(SIP_PASSWORD_BYTES).toString('base64url');
}

/**
 * The three objects of one agent's softphone, in the order to write them: the auth with this
 * password, the aor, then the endpoint naming both. `codecs`: the endpoint's allow list in order
 * (default the template's, G.711 only; adapters/asterisk/asterisk-modules.ts phoneCodecs).
 */
export function webrtcAgentObjects(
  endpointId: string,
  password: string,
  codecs?: readonly string[],
): PjsipObject[] {
  const allow = codecs && codecs.length > 0 ? codecs.join(',') : null;
  return [
    {
      objectType: 'auth',
      id: endpointId,
      fields: [
        ...WEBRTC_AGENT_AUTH,
        { attribute: 'username', value: endpointId },
        { attribute: 'password', value: password },
      ],
    },
    { objectType: 'aor', id: endpointId, fields: [...WEBRTC_AGENT_AOR] },
    {
      objectType: 'endpoint',
      id: endpointId,
      fields: [
        ...WEBRTC_AGENT_ENDPOINT.map((f) =>
          f.attribute === 'allow' && allow ? { attribute: 'allow', value: allow } : f,
        ),
        { attribute: 'auth', value: endpointId },
        { attribute: 'aors', value: endpointId },
      ],
    },
  ];
}

/**
 * TURN credentials for one softphone. `rest` follows the TURN REST API convention coturn checks
 * with `use-auth-secret`: username `<expiry epoch s>:<endpoint>`, credential
 * base64(HMAC-SHA1(secret, username)); the TURN server refuses it once expired, so a leaked
 * credential is worth one shift at most.
 */
export function turnCredentials(
  auth: TurnAuth,
  endpointId: string,
  nowMs: number,
): { username: string; credential: string } {
  if (auth.kind === 'static') return { username: auth.username, credential: auth.credential };
  const username = `${Math.floor(nowMs / 1000) + auth.ttlS}:${endpointId}`;
  const credential = createHmac('sha1', auth.secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * The browser's ICE servers: each STUN URL alone, the TURN URLs together with this account's
 * credentials (when TURN credentials are configured; without, every URL as given).
 */
export function iceServersFor(
  settings: SipConfig,
  endpointId: string,
  nowMs: number,
): SoftphoneAccount['iceServers'] {
  const turnUrls = settings.iceServers.filter(isTurnUrl);
  if (!settings.turn || turnUrls.length === 0) return settings.iceServers.map((urls) => ({ urls }));
  return [
    ...settings.iceServers.filter((u) => !isTurnUrl(u)).map((urls) => ({ urls })),
    { urls: turnUrls, ...turnCredentials(settings.turn, endpointId, nowMs) },
  ];
}

/** What the browser gets: where to register, as whom, and what to dial. */
export function softphoneAccount(
  settings: SipConfig,
  endpointId: string,
  password: string,
  nowMs: number,
): SoftphoneAccount {
  return {
    wsUri: settings.wsUri,
    uri: `sip:${endpointId}@${settings.domain}`,
    password,
    loginExten: LOGIN_EXTEN,
    iceServers: iceServersFor(settings, endpointId, nowMs),
  };
}

/** The ARI operations the service needs (AriRestClient has them). */
export interface SipAccountDeps {
  /** ARI of the Asterisk server the agents' legs live on (the first server). */
  ari: DynamicConfigAri;
  settings: SipConfig;
  /** Injected for tests; default newSipPassword(). */
  newPassword?: () => string;
  /** For the TURN credentials' expiry; default the system clock. */
  clock?: Clock;
  /**
   * The codecs to allow, in order (AsteriskModules.codecsFor: G.711, plus Opus where Asterisk
   * runs codec_opus). Unset: the template's G.711 only.
   */
  codecs?: () => Promise<readonly string[]>;
  logger: Logger;
}

/**
 * The agents' WebRTC softphone accounts, pushed into Asterisk over ARI's dynamic configuration
 * (sorcery; deploy/asterisk/sorcery.conf gives res_pjsip a writable astdb backend). Every request
 * writes a fresh random password: it exists only in Asterisk and in the answer to the browser,
 * never in PostgreSQL or Redis, never in a log. An older browser tab then fails to re-register
 * and the newest registration wins (max_contacts 1, remove_existing).
 */
export class SipAccountService {
  /** Per endpoint, the last write in flight: two requests of one user run one after the other. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly d: SipAccountDeps) {}

  /** Writes the user's auth (new password), aor and endpoint; returns the account to use. */
  async account(user: { id: string; username: string }): Promise<SoftphoneAccount> {
    const endpointId = sipEndpointId(user.username);
    return this.serial(endpointId, async () => {
      const password = (this.d.newPassword ?? newSipPassword)();
      const codecs = await this.d.codecs?.().catch(() => undefined);
      for (const o of webrtcAgentObjects(endpointId, password, codecs)) {
        try {
          await this.d.ari.putConfigObject(PJSIP_CLASS, o.objectType, o.id, o.fields);
        } catch (err) {
          throw this.explain(err, user.id, o.objectType);
        }
      }
      this.d.logger.info({ userId: user.id }, 'softphone account written to Asterisk');
      const nowMs = (this.d.clock ?? systemClock).nowMs();
      return softphoneAccount(this.d.settings, endpointId, password, nowMs);
    });
  }

  /** Removes the user's endpoint, aor and auth (those already gone are fine). */
  async remove(user: { id: string; username: string }): Promise<void> {
    const endpointId = sipEndpointId(user.username);
    await this.serial(endpointId, async () => {
      for (const objectType of ['endpoint', 'aor', 'auth'] as const) {
        await this.d.ari
          .deleteConfigObject(PJSIP_CLASS, objectType, endpointId)
          .catch((err: unknown) => {
            if (isAriNotFound(err)) return;
            throw err;
          });
      }
    });
  }

  private explain(err: unknown, userId: string, objectType: string): unknown {
    if (!isAriKind(err, 'forbidden')) return err;
    // Sorcery found no backend it may write to: the object is in pjsip.conf (read-only), or
    // sorcery.conf gives res_pjsip no writable backend.
    this.d.logger.warn({ userId, objectType }, 'asterisk refused to store a softphone account');
    return new ConflictError(
      `Asterisk refused to store your phone's SIP ${objectType} (403): an endpoint of the same ` +
        'name is in pjsip.conf, or sorcery.conf has no writable backend for res_pjsip',
      { cause: err },
    );
  }

  private serial<T>(key: string, run: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(run, run);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}
