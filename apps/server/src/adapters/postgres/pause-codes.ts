// Pause codes live next to dispositions (the same CRUD, scoped-codes.ts); this module is the
// import path the rest of the code expects.
export { createPauseCodesRepo } from './dispositions.js';
