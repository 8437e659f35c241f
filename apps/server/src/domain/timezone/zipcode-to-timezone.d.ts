// The package ships no types; this is the one function Ringside uses.
declare module 'zipcode-to-timezone' {
  /** IANA zone of a 5-digit US ZIP code, or null when unknown. Data is bundled (zipcodes.json). */
  export function lookup(zipcode: string): string | null;
  const zipcodeToTimezone: { lookup: typeof lookup };
  export default zipcodeToTimezone;
}
