/** @ringside/sim: the simulated PBX that speaks ARI (see docs/sim.md). */
export * from './pbx/index.js';
export * from './bots/index.js';
