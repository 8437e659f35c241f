/**
 * The campaign settings every dialer run against the simulated PBX shares (the dialer e2e test,
 * the roles metrics test, bench/handoff): made inactive (the run switches it on), a 2 s drop wait,
 * a 20 s ring timeout and a 09:00-20:00 calling window around the rig's epoch.
 */
export const SIM_CAMPAIGN = {
  active: false,
  dropWaitMs: 2_000,
  ringTimeoutS: 20,
  windowStart: '09:00',
  windowEnd: '20:00',
} as const;
