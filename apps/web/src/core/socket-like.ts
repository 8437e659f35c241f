import type { SocketLike } from './realtime.js';

/** The part of a WebSocket both the browser's and the `ws` package's have. */
interface WebSocketBase {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/**
 * A SocketLike over `ws` with no handlers set yet; the caller forwards its socket's open, message,
 * close and error events to them (the browser and `ws` deliver those differently).
 */
export function socketLike(ws: WebSocketBase): SocketLike {
  return {
    get readyState() {
      return ws.readyState;
    },
    send: (d) => ws.send(d),
    close: (code, reason) => ws.close(code, reason),
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  };
}
