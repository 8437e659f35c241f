import { ariEventSchemas } from './generated/events.zod.js';
import type { AriEvent, AriEventType } from './generated/models.js';

export type ParsedAriEvent =
  { ok: true; event: AriEvent } | { ok: false; type: string | null; reason: string };

const schemas: Readonly<Record<string, (typeof ariEventSchemas)[AriEventType]>> = ariEventSchemas;

/**
 * Validates one message from the events WebSocket (already JSON-parsed) with the generated
 * schemas. The reason names the failing field paths only, never values, so it can be logged
 * without personal data (caller ids and numbers live in the values).
 */
export function parseAriEvent(message: unknown): ParsedAriEvent {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { ok: false, type: null, reason: 'not a JSON object' };
  }
  const type = (message as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, type: null, reason: 'type is missing' };
  const schema = schemas[type];
  if (!schema) return { ok: false, type: type.slice(0, 64), reason: 'unknown event type' };
  const r = schema.safeParse(message);
  if (!r.success) {
    const fields = r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
      .join('; ');
    return { ok: false, type, reason: fields };
  }
  return { ok: true, event: r.data as AriEvent };
}
