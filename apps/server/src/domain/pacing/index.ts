export * from './distributions.js';
export * from './histogram.js';
export * from './estimator.js';
export * from './ledger.js';
export * from './pacer.js';
export * from './guard.js';
export * from './amd.js';
