/**
 * Hopper: the filler that keeps each campaign's Redis hopper topped up with dialable leads.
 * Owns no storage: hopper and lead source are ports (ports/hopper.ts); run by roles/scheduler.ts.
 */
export { HopperFiller, type FillReport } from './hopper-filler.js';
