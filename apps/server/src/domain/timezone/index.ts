export { deriveTimeZone, tzKey, zonesForPhone } from './derive.js';
export type { DerivedTzSource, TzDerivation, TzInput } from './derive.js';
export { zonesForPostalCode } from './postal-codes.js';
export { AREA_CODE_ZONES } from './area-codes.js';
