import { describe, expect, it } from 'vitest';
import { amdText, ledgerText, type CampaignHeader } from './model.js';

const base: NonNullable<CampaignHeader['dialer']> = {
  state: 'dialing',
  reason: 'x',
  appliedMode: 'predictive',
  hopperSize: 10,
  dialableLeads: 100,
  ahtMs: null,
  asaMs: null,
  occupancyPct: null,
  atMs: 0,
};

describe('supervisor header: drops and AMD', () => {
  it('shows estimated drops apart from counted drops', () => {
    expect(ledgerText(base)).toBeNull();
    expect(
      ledgerText({
        ...base,
        drops: { counted: 12, estimated: 4.26, humans: 1000, ratePct: 1.62, capPct: 3 },
      }),
    ).toBe(
      '30 days: 12 drops counted + 4.3 estimated from AMD errors, of 1000 live answers: 1.62% of a 3% cap',
    );
  });

  it('says when machine verdicts go to agents, and shows the audit interval', () => {
    const stopped = amdText({
      ...base,
      amd: {
        hangups: false,
        note: 'AMD misjudges about 3% of people as machines, which alone would spend the 3% abandonment cap: machine verdicts go to agents instead of being hung up.',
        source: 'audit',
        humanAsMachinePct: 3.1,
        machineAsHumanPct: 10,
        interval: { lo: 0.021, hi: 0.052, marks: 400 },
        auditPct: 2,
      },
    });
    expect(stopped?.stopped).toBe(true);
    expect(stopped?.text).toMatch(/^Machine verdicts go to agents: AMD misjudges/);
    expect(stopped?.text).toMatch(/400 marks; people among machine verdicts 2.1%-5.2%, 95 %/);
    // A campaign without AMD errors or audit says nothing.
    expect(
      amdText({
        ...base,
        amd: {
          hangups: true,
          note: '',
          source: 'admin',
          humanAsMachinePct: 0,
          machineAsHumanPct: 0,
          interval: null,
          auditPct: 0,
        },
      }),
    ).toBeNull();
  });
});
