/**
 * An error as it may be logged: its class, code and stack frames, and its message with quoted
 * parts cut out. Database errors carry the offending values in `detail`, `where` and in quotes
 * in the message ('invalid input syntax for type bigint: "+15551230001"'); none of that reaches
 * the log (STYLE.md §8: no numbers, names or secrets in logs).
 */
export interface SafeError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SafeError;
}

const QUOTED = /"[^"]*"|'[^']*'|\([^()]*\)=\([^()]*\)/g;
const MAX_CAUSES = 3;

export function scrubMessage(message: string): string {
  return message.replace(QUOTED, '"…"').slice(0, 500);
}

export function safeError(err: unknown, depth = 0): SafeError {
  if (!(err instanceof Error)) return { type: typeof err, message: '(not an Error)' };
  const code = (err as { code?: unknown }).code;
  const out: SafeError = { type: err.name, message: scrubMessage(err.message) };
  if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
  if (err.stack) {
    // The first line repeats the message; keep only the frames.
    out.stack = err.stack
      .split('\n')
      .filter((l) => /^\s+at /.test(l))
      .join('\n');
  }
  if (err.cause !== undefined && depth < MAX_CAUSES) out.cause = safeError(err.cause, depth + 1);
  return out;
}
