import { z } from 'zod';

/**
 * The API serves the panel with a Content-Security-Policy that forbids eval (docs/security.md).
 * Zod would probe `new Function` once to choose its compiled parsers, and the browser reports
 * that probe as a violation even though zod catches it: jitless mode skips the probe. Imported
 * first by each page's entry, before any schema parses.
 */
z.config({ jitless: true });
