import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/http.js';

/**
 * A real SIP registrar and proxy for the softphone media test: Kamailio from Debian's packages
 * (kamailio, kamailio-websocket-modules, kamailio-tls-modules), listening for SIP over secure
 * WebSocket on 127.0.0.1 only, with a self-signed certificate made by openssl. No authentication:
 * it is reachable from this machine only and lives for one test. For the softphone recovery test
 * it can refuse a user's REGISTERs (a registration that expires), die and come back.
 */

export interface Kamailio {
  /** wss://127.0.0.1:<port> */
  wsUri: string;
  domain: string;
  stop(): Promise<void>;
  /**
   * From now on answer every REGISTER (first or renewal) of this SIP user with 403, or (null)
   * stop doing so: the registrar drops that phone's registration when it next renews.
   */
  refuseRegister(user: string | null): Promise<void>;
  /** Kills the server (every WebSocket drops, registrations are lost); restart() brings it back. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with no registrations. */
  restart(): Promise<void>;
  /** Kamailio's own log (stderr), for failure messages. */
  log(): string;
}

const MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules/';

export interface KamailioOptions {
  /**
   * Registration lifetime the registrar grants, in seconds (min and max expires; JsSIP's floor
   * is 10 and it renews 5 s before the end when the lifetime is under 64 s). Default: what the
   * phone asks for (JsSIP: 300 s, bounded by Kamailio's defaults).
   */
  registerExpiresS?: number;
}

function config(port: number, dir: string, opts: KamailioOptions): string {
  const expires =
    opts.registerExpiresS === undefined
      ? ''
      : `modparam("registrar", "min_expires", ${opts.registerExpiresS})\nmodparam("registrar", "max_expires", ${opts.registerExpiresS})\n`;
  return `#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=2
tcp_children=2
auto_aliases=no
alias="127.0.0.1"
enable_tls=yes
listen=tls:127.0.0.1:${port}
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
mpath="${MODULES}"

loadmodule "kex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "nathelper.so"
loadmodule "tls.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"

modparam("tls", "config", "${dir}/tls.cfg")
modparam("usrloc", "db_mode", 0)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("rr", "append_fromtag", 1)
# Test control: GET /_control/refuse-register/<user> (or "-" for nobody), HTTPS on the same port.
modparam("pv", "shvset", "refuse_reg=s:-")
${expires}
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  # SIP over WebSocket: the contact's host is meaningless (x.invalid); route by the connection.
  if (nat_uac_test(64)) {
    force_rport();
    if (is_method("REGISTER")) {
      fix_nated_register();
    } else if (!add_contact_alias()) {
      sl_send_reply("400", "Bad Request");
      exit;
    }
  }
  if (is_method("CANCEL")) {
    if (t_check_trans()) t_relay();
    exit;
  }
  if (has_totag()) {
    if (loose_route()) {
      if (!isdsturiset()) handle_ruri_alias();
      t_relay();
      exit;
    }
    if (is_method("ACK") && t_check_trans()) t_relay();
    exit;
  }
  t_check_trans();
  remove_hf("Route");
  if (is_method("INVITE")) record_route();
  if (is_method("REGISTER")) {
    if ($tU == $shv(refuse_reg)) { sl_send_reply("403", "Forbidden"); exit; }
    if (!save("location")) sl_reply_error();
    exit;
  }
  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
  if (!t_relay()) sl_reply_error();
  exit;
}

onreply_route {
  if (nat_uac_test(64)) add_contact_alias();
}

event_route[xhttp:request] {
  set_reply_close();
  set_reply_no_connect();
  if ($hu =~ "^/_control/refuse-register/[a-z0-9-]+$") {
    $shv(refuse_reg) = $(hu{s.select,-1,/});
    xhttp_reply("200", "OK", "text/plain", "$shv(refuse_reg)");
    exit;
  }
  if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
    if (ws_handle_handshake()) exit;
  }
  xhttp_reply("404", "Not Found", "", "");
}
`;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`kamailio did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function kamailioBinary(): string {
  try {
    return execFileSync('which', ['kamailio'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'kamailio is not installed: apt-get install kamailio kamailio-websocket-modules kamailio-tls-modules',
    );
  }
}

export async function startKamailio(opts: KamailioOptions = {}): Promise<Kamailio> {
  const bin = kamailioBinary();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-kamailio-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(
    path.join(dir, 'tls.cfg'),
    `[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = ${dir}/key.pem\ncertificate = ${dir}/cert.pem\n`,
  );
  const port = await freePort();
  writeFileSync(path.join(dir, 'kamailio.cfg'), config(port, dir, opts));
  let stderr = '';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function launch(): Promise<void> {
    const c: ChildProcess = spawn(
      bin,
      [
        '-f',
        path.join(dir, 'kamailio.cfg'),
        '-DD',
        '-E',
        '-Y',
        dir,
        '-P',
        path.join(dir, 'k.pid'),
        '-m',
        '64',
        '-M',
        '8',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = c;
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-20_000);
    });
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    exited = gone;
    try {
      await Promise.race([
        waitForPort(port, 10_000),
        gone.then(() => {
          throw new Error(`kamailio exited: ${stderr.slice(-2000)}`);
        }),
      ]);
    } catch (err) {
      c.kill('SIGTERM');
      throw err;
    }
  }

  async function kill(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (c.exitCode === null) {
      c.kill('SIGKILL');
      await exited;
    }
  }

  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    wsUri: `wss://127.0.0.1:${port}`,
    domain: '127.0.0.1',
    log: () => stderr,
    refuseRegister: (user) => control(port, `/_control/refuse-register/${user ?? '-'}`),
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A control request to the test's Kamailio (its own self-signed certificate). */
function control(port: number, urlPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: urlPath, rejectUnauthorized: false },
      (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else reject(new Error(`kamailio control ${urlPath}: HTTP ${res.statusCode}`));
      },
    );
    req.on('error', reject);
  });
}
