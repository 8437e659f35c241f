import { describePhone, phoneReduce, type PhoneStatus } from '../phone/phone-state.js';
import { Softphone, type SipAccount } from '../phone/softphone.js';

/**
 * The softphone test page (phone-test.html): the same Softphone as the panel, driven from the
 * page (or a browser test) to check registration, the call set-up time and that audio packets
 * flow both ways. `answerIncoming` makes this page the called party.
 */

export interface AudioCounters {
  packetsSent: number;
  packetsReceived: number;
  bytesReceived: number;
}

let status: PhoneStatus = { kind: 'off' };
let phone: Softphone | null = null;
const statusEl = document.getElementById('status');
const statsEl = document.getElementById('stats');
const audio = document.getElementById('audio');

async function counters(): Promise<AudioCounters> {
  const c: AudioCounters = { packetsSent: 0, packetsReceived: 0, bytesReceived: 0 };
  const pc = phone?.peerConnection;
  if (!pc) return c;
  const report = await pc.getStats();
  report.forEach(
    (s: {
      type: string;
      kind?: string;
      packetsSent?: number;
      packetsReceived?: number;
      bytesReceived?: number;
    }) => {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') c.packetsSent += s.packetsSent ?? 0;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        c.packetsReceived += s.packetsReceived ?? 0;
        c.bytesReceived += s.bytesReceived ?? 0;
      }
    },
  );
  if (statsEl) statsEl.textContent = JSON.stringify(c);
  return c;
}

const api = {
  async start(account: SipAccount, answerIncoming = false): Promise<void> {
    if (!(audio instanceof HTMLAudioElement)) throw new Error('no audio element');
    phone?.stop();
    phone = new Softphone({
      account,
      audio,
      answerIncoming,
      dialOnRegister: false,
      onInput: (i) => {
        status = phoneReduce(status, i);
        if (statusEl) statusEl.textContent = describePhone(status).text;
      },
    });
    await phone.start();
  },
  /** Dials `account.loginExten` (once registered). */
  call(): void {
    phone?.connectLeg();
  },
  status: (): PhoneStatus => status,
  counters,
  stop(): void {
    phone?.stop();
  },
};

declare global {
  interface Window {
    ringsidePhoneTest: typeof api;
  }
}
window.ringsidePhoneTest = api;
