import pino, { type Logger } from 'pino';

/**
 * Structured logs (STYLE.md §8): static messages, data in fields. Phone numbers, names and SIP
 * secrets are personal data: log ids, never numbers; these paths are redacted as a safety net.
 */
export function createLogger(level: string, name = 'ringside'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'phone',
        '*.phone',
        'number',
        '*.number',
        'password',
        '*.password',
        'firstName',
        'lastName',
        '*.firstName',
        '*.lastName',
        'secret',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  });
}
export type { Logger };
