import { useState } from 'react';
import type { ApiClient } from '../../core/api.js';

/**
 * The AMD audit on the call screen (docs/pacing.md, "AMD audit"): answering-machine detection
 * judged this call a machine and the dialer sent it to the agent anyway, who says what it was.
 * The campaign's estimate of people hung up on as machines follows these marks.
 */
export function AmdMarks(props: { api: Pick<ApiClient, 'amdMark'>; callId: string }) {
  const { api, callId } = props;
  const [marked, setMarked] = useState<'person' | 'machine' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = (mark: 'person' | 'machine') => {
    setError(null);
    api.amdMark(callId, mark).then(
      () => setMarked(mark),
      (err: unknown) => setError(err instanceof Error ? err.message : 'Not saved.'),
    );
  };
  return (
    <section aria-label="AMD check" className="amd-marks">
      <p>Answering-machine detection judged this call a machine. What answered?</p>
      <div className="row" role="group" aria-label="What answered">
        <button type="button" aria-pressed={marked === 'person'} onClick={() => send('person')}>
          A person
        </button>
        <button type="button" aria-pressed={marked === 'machine'} onClick={() => send('machine')}>
          A machine
        </button>
      </div>
      {marked && (
        <p role="status">Marked: {marked === 'person' ? 'a person' : 'a machine'}. Thank you.</p>
      )}
      {error && (
        <p role="alert" className="tone-problem">
          {error}
        </p>
      )}
    </section>
  );
}
