-- Why Ringside ended a call itself as a failure (docs/telephony.md, "Bridge integrity"):
-- BRIDGE_REFUSED, Asterisk removed a leg from the agent's bridge the instant it joined (no codec
-- the members share or can translate to); BRIDGE_EJECTED, Asterisk removed a leg and putting it
-- back did not hold. NULL for calls that ended the ordinary way (outcome and hangup_cause say how).
ALTER TABLE call_log ADD COLUMN end_reason text
  CHECK (end_reason IN ('BRIDGE_REFUSED', 'BRIDGE_EJECTED'));
