/**
 * Text PostgreSQL cannot store: NUL (U+0000: refused by text and jsonb columns alike) and lone
 * UTF-16 surrogates (refused by jsonb, silently turned into U+FFFD in text columns). The HTTP
 * layer refuses them in every request (http/text-guard.ts), the import in every CSV row.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `s` holds a NUL or a lone surrogate. */
export function hasUnstorableText(s: string): boolean {
  return UNSTORABLE.test(s);
}
