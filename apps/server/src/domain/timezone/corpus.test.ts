import { describe, expect, it } from 'vitest';
import { isDialable } from '../calling-window.js';
import { AREA_CODE_ZONES, stateOfAreaCode } from './area-codes.js';
import { deriveTimeZone, tzOrigins } from './derive.js';
import { zipInfo, zonesForPostalCode } from './postal-codes.js';

/**
 * ZIPs and area codes along the US zone lines, with the zones they are in (looked up in the
 * states' and counties' time-zone rules, 49 CFR part 71, not in the data under test). `exact`:
 * a ZIP well inside one zone gets that zone alone; `contains`: a ZIP or code across a line must
 * keep every zone it touches.
 */
const CHI = 'America/Chicago';
const NY = 'America/New_York';
const DEN = 'America/Denver';
const PHX = 'America/Phoenix';
const LA = 'America/Los_Angeles';
const BOISE = 'America/Boise';

const EXACT_ZIPS: Array<[zip: string, where: string, zones: string[]]> = [
  ['42101', 'Bowling Green, KY (Warren County, Central)', [CHI]],
  ['42001', 'Paducah, KY', [CHI]],
  ['40202', 'Louisville, KY', ['America/Kentucky/Louisville']],
  ['41501', 'Pikeville, KY', [NY]],
  ['37203', 'Nashville, TN', [CHI]],
  ['37902', 'Knoxville, TN', [NY]],
  ['37402', 'Chattanooga, TN', [NY]],
  ['38555', 'Crossville, TN (Cumberland County, Central)', [CHI]],
  ['47708', 'Evansville, IN (Central)', [CHI]],
  ['46204', 'Indianapolis, IN', ['America/Indiana/Indianapolis']],
  ['46534', 'Knox, IN (Starke County, Central)', ['America/Indiana/Knox']],
  ['46312', 'East Chicago, IN (Lake County, Central)', [CHI]],
  ['32501', 'Pensacola, FL (panhandle, Central)', [CHI]],
  ['32301', 'Tallahassee, FL (Eastern)', [NY]],
  ['49858', 'Menominee, MI (Upper Peninsula, Central)', ['America/Menominee']],
  ['49855', 'Marquette, MI (Upper Peninsula, Eastern)', ['America/Detroit']],
  ['58501', 'Bismarck, ND', [CHI]],
  ['58601', 'Dickinson, ND (Mountain)', [DEN]],
  ['57701', 'Rapid City, SD (Mountain)', [DEN]],
  ['57104', 'Sioux Falls, SD', [CHI]],
  ['69101', 'North Platte, NE (Central)', [CHI]],
  ['69361', 'Scottsbluff, NE (Mountain)', [DEN]],
  ['67735', 'Goodland, KS (Sherman County, Mountain)', [DEN]],
  ['67801', 'Dodge City, KS', [CHI]],
  ['79901', 'El Paso, TX (Mountain)', [DEN]],
  ['97914', 'Ontario, OR (Malheur County, Mountain)', [BOISE]],
  ['97850', 'La Grande, OR', [LA]],
  ['83814', "Coeur d'Alene, ID (panhandle, Pacific)", [LA]],
  ['83702', 'Boise, ID', [BOISE]],
  ['85001', 'Phoenix, AZ (no daylight saving time)', [PHX]],
  ['86001', 'Flagstaff, AZ', [PHX]],
  ['86515', 'Window Rock, AZ (Navajo Nation: daylight saving time)', [DEN, PHX]],
  ['86503', 'Chinle, AZ (Navajo Nation)', [DEN, PHX]],
  ['96813', 'Honolulu, HI', ['Pacific/Honolulu']],
  ['99546', 'Adak, AK (Aleutians)', ['America/Adak']],
];

const SPLIT_ZIPS: Array<[zip: string, where: string, zones: string[]]> = [
  ['32456', 'Port St. Joe, FL (Gulf County, split by the line)', [CHI, NY]],
  ['83549', 'Riggins, ID (on the Salmon River line)', [BOISE, LA]],
  ['57501', 'Pierre, SD (Central; Fort Pierre across the river is Mountain)', [CHI, DEN]],
  ['57532', 'Fort Pierre, SD (Mountain)', [CHI, DEN]],
  ['49801', 'Iron Mountain, MI (Dickinson County, Central)', ['America/Menominee']],
  ['47586', 'Tell City, IN (Perry County, Central)', ['America/Indiana/Tell_City']],
  [
    '42633',
    'Monticello, KY (Wayne County, Eastern; Clinton County next door, Central)',
    ['America/Kentucky/Monticello', CHI],
  ],
  ['67878', 'Syracuse, KS (Hamilton County, Mountain)', [DEN]],
  ['58554', 'Mandan, ND (Central)', [CHI]],
];

const AREA_CODES: Array<[code: string, where: string, zones: string[], exact: boolean]> = [
  ['270', 'western Kentucky', [CHI, NY, 'America/Kentucky/Louisville'], true],
  ['502', 'Louisville', ['America/Kentucky/Louisville'], true],
  ['606', 'eastern Kentucky', [CHI, NY, 'America/Kentucky/Monticello'], true],
  ['423', 'east Tennessee', [CHI, NY], true],
  ['615', 'Nashville', [CHI], true],
  ['865', 'Knoxville', [NY], true],
  ['812', 'southern Indiana', [CHI, 'America/Indiana/Indianapolis'], false],
  ['574', 'northern Indiana', [CHI, 'America/Indiana/Knox'], false],
  ['317', 'Indianapolis', ['America/Indiana/Indianapolis'], true],
  ['850', 'Florida panhandle', [CHI, NY], true],
  ['305', 'Miami', [NY], true],
  ['906', "Michigan's Upper Peninsula", ['America/Detroit', 'America/Menominee'], true],
  ['701', 'North Dakota', [CHI, DEN], false],
  ['605', 'South Dakota', [CHI, DEN], true],
  ['308', 'western Nebraska', [CHI, DEN], true],
  ['402', 'eastern Nebraska', [CHI], true],
  ['620', 'southern Kansas', [CHI, DEN], true],
  ['785', 'northern Kansas', [CHI, DEN], true],
  ['915', 'El Paso', [DEN], true],
  ['432', 'west Texas', [CHI, DEN], true],
  ['541', 'Oregon outside Portland', [BOISE, LA], true],
  ['208', 'Idaho', [BOISE, LA], true],
  ['928', 'northern Arizona and the Navajo Nation', [DEN, PHX], true],
  ['602', 'Phoenix', [PHX], true],
];

describe('time-zone corpus: ZIPs and area codes on the zone lines', () => {
  it.each(EXACT_ZIPS)('ZIP %s, %s: exactly its zone', (zip, _where, zones) => {
    expect(zonesForPostalCode(zip, 'US')).toEqual([...zones].sort());
  });

  it.each(SPLIT_ZIPS)('ZIP %s, %s: keeps every zone it touches', (zip, _where, zones) => {
    const got = zonesForPostalCode(zip, 'US');
    for (const z of zones) expect(got).toContain(z);
  });

  it.each(AREA_CODES)('area code %s, %s', (code, _where, zones, exact) => {
    const got = AREA_CODE_ZONES.get(code) ?? [];
    if (exact) expect(got).toEqual([...zones].sort());
    else for (const z of zones) expect(got).toContain(z);
  });

  it('knows the state of each ZIP and US area code', () => {
    expect(zipInfo('42101')?.state).toBe('KY');
    expect(zipInfo('86515')?.state).toBe('AZ');
    expect(zipInfo('99999')).toBeNull();
    expect(stateOfAreaCode('850')).toBe('FL');
    expect(stateOfAreaCode('405')).toBe('OK');
    expect(stateOfAreaCode('416')).toBeUndefined();
  });

  it('every zone of the ZIP and area-code tables is a zone the runtime knows', () => {
    const zones = new Set<string>();
    for (const z of AREA_CODE_ZONES.values()) for (const x of z) zones.add(x);
    for (const [zip] of [...EXACT_ZIPS, ...SPLIT_ZIPS]) {
      for (const x of zipInfo(zip)?.zones ?? []) zones.add(x);
    }
    for (const z of zones) {
      expect(() => new Intl.DateTimeFormat('en-US', { timeZone: z }), z).not.toThrow();
    }
  });
});

describe('a Bowling Green lead is called on Central time', () => {
  // 2026-01-13 13:30 UTC: 07:30 in Bowling Green (Central), 08:30 in Louisville (Eastern).
  const at = Date.UTC(2026, 0, 13, 13, 30);
  const campaign = { startMinute: 8 * 60, endMinute: 21 * 60 };

  it('is not dialable at 07:30 local (the old table said Eastern, 08:30)', () => {
    const tz = deriveTimeZone({ phone: '+16155550100', postalCode: '42101', country: 'US' });
    expect(tz.candidates).toEqual([CHI]);
    expect(isDialable(tz.candidates, campaign, at)).toBe(false);
    expect(isDialable(tz.candidates, campaign, at + 30 * 60_000)).toBe(true);
  });

  it('keeps the zones of ZIP and area code apart for the lead screen', () => {
    expect(tzOrigins({ phone: '+12705550100', postalCode: '42101-1234', country: 'US' })).toEqual([
      { source: 'postal_code', value: '42101', zones: [CHI] },
      {
        source: 'area_code',
        value: '270',
        zones: [CHI, 'America/Kentucky/Louisville', NY],
      },
    ]);
  });
});
