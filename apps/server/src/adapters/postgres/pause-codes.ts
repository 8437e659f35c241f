// Pause codes live next to dispositions (same shape and scoping rules); this module is the
// import path the rest of the code expects.
export { createPauseCodesRepo } from './dispositions.js';
export type { PauseCode, PauseCodesRepo } from './dispositions.js';
