/**
 * ARI's /asterisk resource (info, ping, loading and unloading modules, see codecs.ts for the
 * module catalogue) and the body of /applications.
 */
import { MODULE_CATALOGUE, moduleFile } from './codecs.js';
import { ariTimestamp, msg, type AriReply, type PbxCore } from './core.js';

export class AsteriskInfo {
  constructor(private readonly core: PbxCore) {}

  /** The Application model of `name`: the channels in it and the bridges it used. */
  ariApplication(name: string): Record<string, unknown> {
    const channelIds: string[] = [];
    const bridgeIds = new Set<string>();
    for (const ch of this.core.channels.values()) {
      if (ch.stasis?.app === name) channelIds.push(ch.id);
    }
    for (const b of this.core.bridges.values()) if (b.apps.has(name)) bridgeIds.add(b.id);
    return {
      name,
      channel_ids: channelIds,
      bridge_ids: [...bridgeIds],
      endpoint_ids: [],
      device_names: [],
      events_allowed: [],
      events_disallowed: [],
    };
  }

  ariInfo(only: string | undefined): AriReply {
    const started = ariTimestamp(this.core.startedAtMs);
    const all: Record<string, unknown> = {
      build: {
        os: 'Linux',
        kernel: 'ringside-sim',
        options: '',
        machine: 'x86_64',
        date: started,
        user: 'ringside',
      },
      system: { version: '22.10.1', entity_id: this.core.opts.asteriskId },
      config: {
        name: 'ringside-sim',
        default_language: 'en',
        setid: { user: '', group: '' },
      },
      status: { startup_time: started, last_reload_time: started },
    };
    if (!only) return { status: 200, body: all };
    const want = only.split(',').map((s) => s.trim());
    return {
      status: 200,
      body: Object.fromEntries(Object.entries(all).filter(([k]) => want.includes(k))),
    };
  }

  ariPing(): AriReply {
    return {
      status: 200,
      body: {
        asterisk_id: this.core.opts.asteriskId,
        ping: 'pong',
        timestamp: ariTimestamp(this.core.now()),
      },
    };
  }

  ariListModules(): AriReply {
    const body = [...this.core.modules]
      .sort()
      .map((m) => moduleJson(m))
      .filter((m): m is Record<string, unknown> => m !== null);
    return { status: 200, body };
  }

  /**
   * GET /asterisk/modules/{name}: Asterisk finds the module with or without `.so`, then looks
   * its details up by the exact file name, so `codec_ulaw` answers 409 and `codec_ulaw.so` 200.
   */
  ariGetModule(name: string): AriReply {
    const file = this.loadedModule(name);
    if (!file) return msg(404, 'Module could not be found in running modules');
    const json = file === name ? moduleJson(file) : null;
    return json
      ? { status: 200, body: json }
      : msg(409, 'Module information could not be retrieved');
  }

  ariLoadModule(name: string): AriReply {
    if (this.loadedModule(name)) return msg(409, 'Module is already loaded');
    const file = [...this.core.opts.installedModules].find(
      (m) => m.toLowerCase() === moduleFile(name).toLowerCase(),
    );
    // Not installed (codec_opus on most builds): ast_load_resource declines.
    if (!file) return msg(409, 'Module load declined');
    this.core.modules.add(file);
    return { status: 204 };
  }

  ariUnloadModule(name: string): AriReply {
    const file = this.loadedModule(name);
    if (!file) return msg(404, 'Module not found in running modules');
    this.core.modules.delete(file);
    return { status: 204 };
  }

  ariReloadModule(name: string): AriReply {
    return this.loadedModule(name)
      ? { status: 204 }
      : msg(404, 'Module not found in running modules');
  }

  /** Whether a module is loaded; `codec_opus` and `codec_opus.so` are the same (ast_module_check). */
  private loadedModule(name: string): string | null {
    const file = moduleFile(name).toLowerCase();
    return [...this.core.modules].find((m) => m.toLowerCase() === file) ?? null;
  }
}

function moduleJson(file: string): Record<string, unknown> | null {
  const info = MODULE_CATALOGUE.find((m) => m.name === file);
  if (!info) return null;
  return {
    name: info.name,
    description: info.description,
    use_count: 0,
    status: 'Running',
    support_level: info.support_level,
  };
}
