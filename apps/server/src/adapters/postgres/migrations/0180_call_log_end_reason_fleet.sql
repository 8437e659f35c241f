-- Two more reasons Ringside ends a call itself (docs/telephony.md, "Asterisk fleet"):
-- SERVER_LOST, the call's Asterisk server was declared lost and the call ended in state;
-- TRUNK_LOST, the trunk leg of a call crossing between two servers ended under it.
ALTER TABLE call_log DROP CONSTRAINT IF EXISTS call_log_end_reason_check;
ALTER TABLE call_log ADD CONSTRAINT call_log_end_reason_check
  CHECK (end_reason IN ('BRIDGE_REFUSED', 'BRIDGE_EJECTED', 'SERVER_LOST', 'TRUNK_LOST'));
