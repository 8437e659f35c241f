import {
  CLIENT_MESSAGE_TYPES,
  ClientMessage,
  WS_MAX_CLIENT_MESSAGE_BYTES,
  type ClientMessageType,
  type WsErrorData,
} from '@ringside/protocol';
import { fromZod, mapError } from '../http/errors.js';

/**
 * Validates one frame a client sent (packages/protocol src/ws.ts): the message, or the error to
 * answer with (replying to the message's seq when it had a readable one).
 */
export function parseClientMessage(
  raw: Buffer,
  isBinary: boolean,
): { ok: true; msg: ClientMessage } | { ok: false; error: WsErrorData } {
  const fail = (error: WsErrorData) => ({ ok: false as const, error });
  if (raw.length > WS_MAX_CLIENT_MESSAGE_BYTES) {
    return fail({
      code: 'TOO_LARGE',
      message: `message of ${raw.length} bytes refused; the limit is ${WS_MAX_CLIENT_MESSAGE_BYTES}`,
      replyTo: null,
    });
  }
  if (isBinary) return fail({ code: 'BAD_JSON', message: 'send JSON text frames', replyTo: null });
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return fail({ code: 'BAD_JSON', message: 'message is not JSON', replyTo: null });
  }
  const obj = typeof json === 'object' && json !== null && !Array.isArray(json) ? json : null;
  const seqRaw = obj ? (obj as { seq?: unknown }).seq : undefined;
  const replyTo = typeof seqRaw === 'number' && Number.isInteger(seqRaw) ? seqRaw : null;
  const type = obj ? (obj as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') {
    return fail({
      code: 'VALIDATION',
      message: 'type: must be a string',
      issues: [{ path: 'type', message: 'must be a string' }],
      replyTo,
    });
  }
  if (!CLIENT_MESSAGE_TYPES.includes(type as ClientMessageType)) {
    return fail({
      code: 'UNKNOWN_TYPE',
      message: `unknown message type "${type.slice(0, 64)}"; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}`,
      replyTo,
    });
  }
  const parsed = ClientMessage.safeParse(json);
  if (!parsed.success) {
    const m = mapError(fromZod(parsed.error));
    return fail({
      code: m.body.error.code,
      message: m.body.error.message,
      issues: m.body.error.issues ?? [],
      replyTo,
    });
  }
  return { ok: true, msg: parsed.data };
}
