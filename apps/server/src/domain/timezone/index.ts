export { deriveTimeZone, tzKey, tzOrigins, zonesForPhone } from './derive.js';
export type { DerivedTzSource, TzDerivation, TzInput, TzOrigin } from './derive.js';
export { usZip5, zipInfo, zonesForPostalCode } from './postal-codes.js';
export type { ZipInfo } from './postal-codes.js';
export { AREA_CODE_ZONES, stateOfAreaCode } from './area-codes.js';
