/** The instant columns of call_log in the order a call lives through them. */
export const CALL_LOG_INSTANTS =
  'originated_at, ringing_at, answered_at, amd_at, agent_connected_at, ended_at';

/**
 * How many times the instants a call_log row has set go back in time (0: in order). `row` is the
 * row as selected with CALL_LOG_INSTANTS (unset instants are null and skipped).
 */
export function instantsOutOfOrder(row: Record<string, unknown>): number {
  const seq = CALL_LOG_INSTANTS.split(', ')
    .map((column) => row[column])
    .filter((d): d is Date => d instanceof Date)
    .map((d) => d.getTime());
  let back = 0;
  for (let i = 1; i < seq.length; i++) if ((seq[i] as number) < (seq[i - 1] as number)) back += 1;
  return back;
}
