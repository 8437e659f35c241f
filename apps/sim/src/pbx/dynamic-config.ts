/**
 * ARI's dynamic configuration (`/asterisk/config/dynamic/{configClass}/{objectType}/{id}`) as
 * Asterisk answers it when sorcery.conf gives res_pjsip's endpoint, auth and aor a writable
 * backend (astdb) after the static pjsip.conf: PUT creates an object or updates the attributes it
 * names, GET returns the object as a ConfigTuple list, DELETE removes it (204). Objects of the
 * static configuration can be read but neither updated nor deleted (403), as pjsip.conf's are.
 *
 * Simplifications: an object lists only the attributes that were set (Asterisk also lists every
 * default), and values are kept as given (Asterisk normalises some, e.g. `allow`). Attributes
 * outside KNOWN_ATTRIBUTES are refused as Asterisk refuses an unknown attribute.
 */
import type { AriReply } from './core.js';

export interface ConfigTuple {
  attribute: string;
  value: string;
}

/** An object of the static configuration (pjsip.conf): readable, never writable. */
export interface StaticConfigObject {
  configClass: string;
  objectType: string;
  id: string;
  fields: ConfigTuple[];
}

/**
 * Attributes each object type accepts. auth and aor: all of Asterisk 22's; endpoint: the options
 * a WebRTC or trunk endpoint uses (Asterisk has many more; add them here when needed).
 */
export const KNOWN_ATTRIBUTES: Readonly<
  Record<string, Readonly<Record<string, ReadonlySet<string>>>>
> = {
  res_pjsip: {
    auth: new Set([
      'type',
      'auth_type',
      'username',
      'password',
      'md5_cred',
      'realm',
      'nonce_lifetime',
      'refresh_token',
      'oauth_clientid',
      'oauth_secret',
      'password_digest',
      'supported_algorithms_uac',
      'supported_algorithms_uas',
    ]),
    aor: new Set([
      'type',
      'contact',
      'minimum_expiration',
      'maximum_expiration',
      'default_expiration',
      'qualify_frequency',
      'qualify_timeout',
      'qualify_2xx_only',
      'authenticate_qualify',
      'max_contacts',
      'remove_existing',
      'remove_unavailable',
      'mailboxes',
      'voicemail_extension',
      'outbound_proxy',
      'support_path',
    ]),
    endpoint: new Set([
      'type',
      'transport',
      'context',
      'disallow',
      'allow',
      'aors',
      'auth',
      'outbound_auth',
      'callerid',
      'webrtc',
      'use_avpf',
      'media_encryption',
      'media_encryption_optimistic',
      'dtls_auto_generate_cert',
      'dtls_verify',
      'dtls_setup',
      'dtls_rekey',
      'dtls_fingerprint',
      'dtls_cert_file',
      'dtls_private_key',
      'dtls_ca_file',
      'ice_support',
      'rtcp_mux',
      'media_use_received_transport',
      'max_audio_streams',
      'max_video_streams',
      'direct_media',
      'rtp_symmetric',
      'force_rport',
      'rewrite_contact',
      'send_pai',
      'trust_id_outbound',
      'trust_id_inbound',
      'inband_progress',
      'timers',
      'dtmf_mode',
      'language',
      'bundle',
      'from_user',
      'from_domain',
      'mailboxes',
      'device_state_busy_at',
      'allow_subscribe',
      'rtp_timeout',
      'rtp_timeout_hold',
    ]),
    identify: new Set(['type', 'endpoint', 'match', 'match_header', 'srv_lookups']),
    contact: new Set(['type', 'uri', 'expiration_time', 'qualify_frequency', 'path', 'user_agent']),
  },
};

const message = (status: number, text: string): AriReply => ({ status, body: { message: text } });

/** The dynamic configuration store of one simulated Asterisk. */
export class SimDynamicConfig {
  /** `${configClass}/${objectType}` -> id -> attributes in the order first set. */
  private readonly written = new Map<string, Map<string, Map<string, string>>>();
  private readonly fixed = new Map<string, Map<string, ConfigTuple[]>>();

  constructor(staticObjects: ReadonlyArray<StaticConfigObject> = []) {
    for (const o of staticObjects) {
      const key = `${o.configClass}/${o.objectType}`;
      let m = this.fixed.get(key);
      if (!m) this.fixed.set(key, (m = new Map()));
      m.set(
        o.id,
        o.fields.map((f) => ({ ...f })),
      );
    }
  }

  /** The attributes of an object as ARI returns them, or null (for tests and the control API). */
  object(configClass: string, objectType: string, id: string): ConfigTuple[] | null {
    const key = `${configClass}/${objectType}`;
    const fixed = this.fixed.get(key)?.get(id);
    if (fixed) return fixed.map((f) => ({ ...f }));
    const w = this.written.get(key)?.get(id);
    return w ? [...w].map(([attribute, value]) => ({ attribute, value })) : null;
  }

  /**
   * Answers `method /asterisk/config/dynamic/<segs...>` (segs: configClass, objectType, id) with
   * Asterisk's statuses and messages.
   */
  handle(method: string, segs: string[], rawBody: string): AriReply {
    const [configClass, objectType, id] = segs;
    if (segs.length !== 3 || !configClass || !objectType || !id) {
      return message(404, 'Resource not found');
    }
    const known = KNOWN_ATTRIBUTES[configClass];
    if (!known) return message(404, `configClass '${configClass}' not found`);
    const attributes = known[objectType];
    if (!attributes) return message(404, `objectType '${objectType}' not found`);
    const key = `${configClass}/${objectType}`;
    const isFixed = this.fixed.get(key)?.has(id) ?? false;
    const current = this.written.get(key)?.get(id);

    if (method === 'GET') {
      const found = this.object(configClass, objectType, id);
      return found
        ? { status: 200, body: found }
        : message(404, `Object with id '${id}' not found`);
    }
    if (method === 'DELETE') {
      if (isFixed) return message(403, `Could not delete object with id '${id}'`);
      if (!current) return message(404, `Object with id '${id}' not found`);
      this.written.get(key)?.delete(id);
      return { status: 204 };
    }
    if (method !== 'PUT') return message(405, 'Method Not Allowed');

    let body: unknown = undefined;
    if (rawBody.trim()) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return message(400, 'Failed to parse request body');
      }
    }
    const fields =
      body && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>).fields
        : undefined;
    const exists = isFixed || current !== undefined;
    if (fields === undefined && exists) {
      return message(400, `Fields must be provided to update object '${id}'`);
    }
    const updates: Array<[string, string]> = [];
    for (const f of Array.isArray(fields) ? (fields as unknown[]) : []) {
      const t = f && typeof f === 'object' ? (f as Record<string, unknown>) : {};
      const valid =
        typeof t.attribute === 'string' &&
        typeof t.value === 'string' &&
        attributes.has(t.attribute);
      if (!valid) {
        return message(
          400,
          `${exists ? 'Update' : 'Creation'} of object '${id}' failed field value validation`,
        );
      }
      updates.push([t.attribute as string, t.value as string]);
    }
    // pjsip.conf objects belong to a read-only backend: sorcery finds no wizard to update them.
    if (isFixed) return message(403, `Cannot update sorcery objects of type '${objectType}'`);
    let byId = this.written.get(key);
    if (!byId) this.written.set(key, (byId = new Map()));
    const next = new Map(current ?? []);
    for (const [a, v] of updates) next.set(a, v);
    byId.set(id, next);
    return { status: 200, body: [...next].map(([attribute, value]) => ({ attribute, value })) };
  }
}
