import type { SocketLike } from '../core/realtime.js';
import { socketLike } from '../core/socket-like.js';

/** Adapts the browser's WebSocket to the realtime client's SocketLike (cookie auth, same origin). */
export function browserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  const s = socketLike(ws);
  ws.onopen = (e) => s.onopen?.(e);
  ws.onmessage = (e) => s.onmessage?.({ data: e.data });
  ws.onclose = (e) => s.onclose?.({ code: e.code, reason: e.reason });
  ws.onerror = (e) => s.onerror?.(e);
  return s;
}
