-- Every hopper refill marks leads (hopper_at) and every dial clears the mark: both are non-HOT
-- updates (hopper_at is in leads_hopper_idx's predicate), so dead tuples pile up at the head of
-- the hopper index. With the default scale factor (20%) a 10M-lead table waits for 2M dead tuples
-- before autovacuum runs, and refill p99 doubled in bench:hopper at ~950k dead tuples
-- (191 ms vs 72 ms after VACUUM). Vacuum leads after 1% (+10k) instead.
ALTER TABLE leads SET (
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_threshold = 10000,
  autovacuum_analyze_scale_factor = 0.02
);
