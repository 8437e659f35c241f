import { hasUnstorableText } from '../domain/storable-text.js';
import { ValidationError } from '../errors.js';

export { hasUnstorableText };

/**
 * Refuses text PostgreSQL cannot store (domain/storable-text.ts) once for every route (app.ts, a
 * preValidation hook over body, query and params): a 400 naming the field, never a 500 from the
 * database or a mangled value.
 */
export const UNSTORABLE_TEXT_MESSAGE =
  'contains a NUL character or an invalid (lone surrogate) character';

/** Nesting beyond which a value is not walked further (JSON bodies are limited to 1 MiB anyway). */
const MAX_DEPTH = 64;

/**
 * The path (`a.b.0`) of the first string, or object key, in `value` holding unstorable text;
 * null when there is none. Keys are named by their position when they are the problem.
 */
export function findUnstorableText(value: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof value === 'string') return hasUnstorableText(value) ? joinPath(path) : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, String(i)], depth + 1);
      if (found !== null) return found;
    }
    return null;
  }
  // Data objects only (parsed JSON, query and params, whose prototypes vary), never a stream
  // (the CSV upload body: import checks its rows itself), a buffer or a date.
  if (
    typeof (value as { pipe?: unknown }).pipe === 'function' ||
    ArrayBuffer.isView(value) ||
    value instanceof Date
  ) {
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (hasUnstorableText(k)) return joinPath([...path, '(key)']);
    const found = findUnstorableText(v, [...path, k], depth + 1);
    if (found !== null) return found;
  }
  return null;
}

function joinPath(path: string[]): string {
  return path.length ? path.join('.') : '(root)';
}

/** Throws a ValidationError naming the field when `value` holds unstorable text. */
export function assertStorableText(value: unknown, prefix?: string): void {
  const found = findUnstorableText(value, prefix ? [prefix] : []);
  if (found === null) return;
  throw new ValidationError(`${found}: ${UNSTORABLE_TEXT_MESSAGE}`, [
    { path: found, message: UNSTORABLE_TEXT_MESSAGE },
  ]);
}
