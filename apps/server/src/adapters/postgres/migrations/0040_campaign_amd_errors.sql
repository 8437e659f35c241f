-- AMD errors in the drop-rate ledger (docs/pacing.md, "AMD errors"). Per campaign, the admin's
-- estimate of answering-machine detection errors: the share of people judged machines (each
-- MACHINE hang-up then adds its expected share of an abandoned person to the ledger) and of
-- machines judged people (they reach agents); and the share of MACHINE verdicts sent to agents
-- to be marked "a person" or "a machine" (the AMD audit, which measures the first share).
ALTER TABLE campaigns
  ADD COLUMN amd_human_as_machine_pct numeric(5, 2) NOT NULL DEFAULT 0
    CONSTRAINT campaigns_amd_human_as_machine_pct_check
    CHECK (amd_human_as_machine_pct >= 0 AND amd_human_as_machine_pct <= 50),
  ADD COLUMN amd_machine_as_human_pct numeric(5, 2) NOT NULL DEFAULT 0
    CONSTRAINT campaigns_amd_machine_as_human_pct_check
    CHECK (amd_machine_as_human_pct >= 0 AND amd_machine_as_human_pct <= 50),
  ADD COLUMN amd_audit_pct numeric(5, 2) NOT NULL DEFAULT 0
    CONSTRAINT campaigns_amd_audit_pct_check
    CHECK (amd_audit_pct >= 0 AND amd_audit_pct <= 100);
