import { describe, expect, it } from 'vitest';
import { parseStaffHash } from './StaffShell.js';

describe('parseStaffHash', () => {
  it('reads the screen and the rest of the path', () => {
    expect(parseStaffHash('#/admin/campaigns/12')).toEqual({
      screen: 'admin',
      rest: 'campaigns/12',
    });
    expect(parseStaffHash('#/reports/outbound')).toEqual({ screen: 'reports', rest: 'outbound' });
  });
  it('falls back to the dashboard for an empty or unknown hash', () => {
    expect(parseStaffHash('')).toEqual({ screen: 'dashboard', rest: '' });
    expect(parseStaffHash('#/nowhere/x')).toEqual({ screen: 'dashboard', rest: '' });
  });
});
