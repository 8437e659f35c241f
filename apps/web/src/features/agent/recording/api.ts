import { ApiError, refusalError } from '../../../core/api.js';
import type { RecordingAction } from '../../../core/panel/index.js';

/** The route of each of the agent's recording actions (docs/recording.md, docs/api.md). */
const ROUTE: Record<RecordingAction, string> = {
  record: 'start',
  pause: 'pause',
  resume: 'resume',
};

/**
 * Asks the server to start, pause or resume the recording of the agent's call
 * (`POST /api/calls/:callId/recording/start|pause|resume`, same origin, session cookie). The
 * answer's body is not read: the recording's state reaches the desk as `recording.changed`, like
 * every other state. A refusal (409: the campaign pauses through the API only, the call is not
 * recorded) is an ApiError with the server's message.
 */
export async function recordingRequest(
  callId: string,
  action: RecordingAction,
  fetchFn: typeof fetch = (...a) => fetch(...a),
): Promise<void> {
  const path = `/api/calls/${encodeURIComponent(callId)}/recording/${ROUTE[action]}`;
  let res: Response;
  try {
    res = await fetchFn(path, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server could not be reached');
  }
  if (res.ok) return;
  const json: unknown = await res.json().catch(() => null);
  throw refusalError(res.status, json, `POST ${path}`);
}
