/**
 * Codecs and the loaded modules of the simulated PBX, as Asterisk 22 handles them:
 *
 * - An endpoint's codecs are its `allow` list in order (`disallow=all` then `allow=opus,ulaw`).
 * - A call to or from a phone negotiates the FIRST codec of the endpoint's allow list that the
 *   phone also offers, in either direction (with `allow=opus,ulaw` a browser calling in got Opus
 *   and with `ulaw,opus` got ulaw on the real Asterisk 22.10.1 of issue 11).
 * - Local channels (customers, agent-local) carry ulaw; snoop channels signed linear (slin).
 * - Two channels can share a bridge when their codecs are the same or a translation path exists
 *   through the loaded translators: codec_ulaw (ulaw<->slin), codec_alaw (alaw<->slin), codec_a_mu
 *   (alaw<->ulaw), codec_g722 (g722<->slin16), and codec_opus (opus<->slin48), which is not part
 *   of Asterisk's source tree and is absent from most builds. Without a path, Asterisk logs
 *   `No path to translate from <a> to <b>` and ejects the channel that just joined.
 */

/** Codec names as Asterisk's `allow` and CHANNEL(audionativeformat) spell them. */
export const KNOWN_CODECS = ['ulaw', 'alaw', 'opus', 'g722', 'gsm', 'g729', 'slin'] as const;
export type Codec = string;

/** What a Local channel (a customer, Local/...@agents) carries. */
export const LOCAL_CODECS: ReadonlyArray<Codec> = ['ulaw', 'alaw'];
/** What a browser offers (Chromium's WebRTC audio codecs: Opus, G.722, PCMU, PCMA). */
export const BROWSER_OFFER: ReadonlyArray<Codec> = ['opus', 'g722', 'ulaw', 'alaw'];
/** What a simulated desk phone offers. */
export const DESK_PHONE_OFFER: ReadonlyArray<Codec> = ['ulaw', 'alaw'];
/** The codecs of an endpoint with no `allow` at all (a simplification: Asterisk would have none). */
export const DEFAULT_ALLOW: ReadonlyArray<Codec> = ['ulaw'];

/**
 * Applies `disallow` then `allow` as Asterisk does (both comma lists; `all` means every codec,
 * `!name` in allow removes). `current` is the list before (an update keeps what it does not name).
 */
export function applyAllow(
  current: ReadonlyArray<Codec>,
  disallow: string | undefined,
  allow: string | undefined,
): Codec[] {
  const split = (s: string) =>
    s
      .split(/[,&]/)
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean);
  let list = [...current];
  for (const name of split(disallow ?? '')) {
    list = name === 'all' ? [] : list.filter((c) => c !== name);
  }
  for (const raw of split(allow ?? '')) {
    const neg = raw.startsWith('!');
    const name = neg ? raw.slice(1) : raw;
    const names = name === 'all' ? [...KNOWN_CODECS] : [name];
    for (const n of names) {
      list = list.filter((c) => c !== n);
      if (!neg) list.push(n);
    }
  }
  return list;
}

/** The first codec of `allow` (the endpoint's order) that the device also has, or null. */
export function negotiate(allow: ReadonlyArray<Codec>, offer: ReadonlyArray<Codec>): Codec | null {
  return allow.find((c) => offer.includes(c)) ?? null;
}

/** A loadable module of the simulated Asterisk (ARI's Module model, minus use_count/status). */
export interface ModuleInfo {
  name: string;
  description: string;
  support_level: 'core' | 'extended' | 'deprecated' | 'unknown';
}

const mod = (name: string, description: string, level: ModuleInfo['support_level'] = 'core') => ({
  name: `${name}.so`,
  description,
  support_level: level,
});

/**
 * Every module the simulated Asterisk knows; all but codec_opus are loaded unless the `modules`
 * option says otherwise (the build of issue 11: ARI, Stasis, PJSIP over WebSocket, AMD, ChanSpy,
 * bridges, MixMonitor, G.711, WAV).
 */
export const MODULE_CATALOGUE: ReadonlyArray<ModuleInfo> = [
  mod('app_amd', 'Answering Machine Detection Application', 'extended'),
  mod('app_chanspy', 'Listen to the audio of an active channel'),
  mod('app_dial', 'Dialing Application'),
  mod('app_mixmonitor', 'Mixed Audio Monitoring Application'),
  mod('app_playback', 'Sound File Playback Application'),
  mod('app_stasis', 'Stasis dialplan application'),
  mod('bridge_holding', 'Holding bridge module'),
  mod('bridge_native_rtp', 'Native RTP bridging module'),
  mod('bridge_simple', 'Simple two channel bridging module'),
  mod('bridge_softmix', 'Multi-party software based channel mixing'),
  mod('chan_pjsip', 'PJSIP Channel Driver'),
  mod('codec_a_mu', 'A-law and Mulaw direct Coder/Decoder'),
  mod('codec_alaw', 'A-law Coder/Decoder'),
  mod('codec_g722', 'ITU G.722-64kbps G722 Transcoder'),
  mod('codec_opus', 'OPUS Coder/Decoder', 'extended'),
  mod('codec_ulaw', 'mu-Law Coder/Decoder'),
  mod('format_wav', 'Microsoft WAV/WAV16 format (8kHz/16kHz Signed Linear)'),
  mod('pbx_config', 'Text Extension Configuration'),
  mod('res_ari', 'Asterisk RESTful Interface'),
  mod('res_ari_applications', 'RESTful API module - Stasis application resources'),
  mod('res_ari_asterisk', 'RESTful API module - Asterisk resources'),
  mod('res_ari_bridges', 'RESTful API module - Bridge resources'),
  mod('res_ari_channels', 'RESTful API module - Channel resources'),
  mod('res_ari_endpoints', 'RESTful API module - Endpoint resources'),
  mod('res_ari_events', 'RESTful API module - WebSocket resource'),
  mod('res_ari_playbacks', 'RESTful API module - Playback control resources'),
  mod('res_format_attr_opus', 'Opus Format Attribute Module'),
  mod('res_http_websocket', 'HTTP WebSocket Support'),
  mod('res_musiconhold', 'Music On Hold Resource'),
  mod('res_pjsip', 'Basic SIP resource'),
  mod('res_pjsip_transport_websocket', 'PJSIP WebSocket Transport Support'),
  mod('res_rtp_asterisk', 'Asterisk RTP Stack'),
  mod('res_sorcery_astdb', 'Sorcery Astdb Object Wizard'),
  mod('res_stasis', 'Stasis application support'),
  mod('res_stasis_playback', 'Stasis application playback support'),
  mod('res_stasis_snoop', 'Stasis application snoop support'),
];

/** Modules not loaded by default (codec_opus is distributed separately from Asterisk). */
export const NOT_LOADED_BY_DEFAULT: ReadonlyArray<string> = ['codec_opus.so'];

/** Asterisk's module names: `codec_opus` and `codec_opus.so` name the same module. */
export function moduleFile(name: string): string {
  return name.toLowerCase().endsWith('.so') ? name : `${name}.so`;
}

/** Translator modules and the codec pairs each converts (both ways). */
const TRANSLATORS: ReadonlyArray<{ module: string; pairs: ReadonlyArray<[Codec, Codec]> }> = [
  { module: 'codec_ulaw.so', pairs: [['ulaw', 'slin']] },
  { module: 'codec_alaw.so', pairs: [['alaw', 'slin']] },
  { module: 'codec_a_mu.so', pairs: [['alaw', 'ulaw']] },
  { module: 'codec_g722.so', pairs: [['g722', 'slin']] },
  { module: 'codec_opus.so', pairs: [['opus', 'slin']] },
];

/**
 * Whether audio can go from `a` to `b` (and back) with the loaded translators. Signed linear
 * rates convert among themselves in the core, so every translator meets at slin.
 */
export function canTranslate(a: Codec, b: Codec, loaded: ReadonlySet<string>): boolean {
  if (a === b) return true;
  const edges = new Map<Codec, Set<Codec>>();
  const link = (x: Codec, y: Codec) => {
    if (!edges.has(x)) edges.set(x, new Set());
    edges.get(x)?.add(y);
  };
  for (const t of TRANSLATORS) {
    if (!loaded.has(t.module)) continue;
    for (const [x, y] of t.pairs) {
      link(x, y);
      link(y, x);
    }
  }
  const seen = new Set<Codec>([a]);
  const queue: Codec[] = [a];
  while (queue.length) {
    const c = queue.shift() as Codec;
    for (const n of edges.get(c) ?? []) {
      if (n === b) return true;
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return false;
}
