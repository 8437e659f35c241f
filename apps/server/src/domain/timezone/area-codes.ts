/**
 * NANP area code -> IANA time zones (US, Canada, US territories and the Caribbean members of the
 * plan). An area code that spans several zones lists every one: the dialer then calls only when
 * all of them are inside the calling window, which is the safe reading of the law when we cannot
 * tell where the person is. Codes not listed (toll-free 8xx, 500/600/700/900, unassigned) have
 * no zone.
 *
 * US codes come from the generated table (generated/us-area-codes.ts: NANPA's list of codes and
 * states, the ZIP data's zones per state, curated zones for codes of states with several zones;
 * scripts/tz-data). Canada and the Caribbean are written here by hand.
 */
import { US_AREA_CODES } from './generated/us-area-codes.js';

const EDM = 'America/Edmonton';
const VAN = 'America/Vancouver';
const DAWSON_CREEK = 'America/Dawson_Creek';
const HFX = 'America/Halifax';
const STJ = 'America/St_Johns';
const GOOSE = 'America/Goose_Bay';
const TOR = 'America/Toronto';
const WPG = 'America/Winnipeg';

/** Non-US area codes wholly inside one zone, as space-separated lists per zone. */
const SINGLE: Record<string, string> = {
  // Canada
  [VAN]: '604',
  [EDM]: '368 403 587 780 825',
  'America/Regina': '306 474 639',
  [WPG]: '204 431 584',
  [TOR]:
    '226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 905 942 ' +
    '263 354 438 450 468 514 579 819 873',
  'America/Moncton': '428 506',
  [HFX]: '782 902',
  // Caribbean members of the NANP
  'America/Nassau': '242',
  'America/Barbados': '246',
  'America/Anguilla': '264',
  'America/Antigua': '268',
  'America/Tortola': '284',
  'America/Cayman': '345',
  'Atlantic/Bermuda': '441',
  'America/Grenada': '473',
  'America/Grand_Turk': '649',
  'America/Jamaica': '658 876',
  'America/Montserrat': '664',
  'America/Lower_Princes': '721',
  'America/St_Lucia': '758',
  'America/Dominica': '767',
  'America/St_Vincent': '784',
  'America/Santo_Domingo': '809 829 849',
  'America/Port_of_Spain': '868',
  'America/St_Kitts': '869',
};

/** Non-US area codes that span more than one zone (every zone listed). */
const SPLIT: Record<string, readonly string[]> = {
  // British Columbia outside the Lower Mainland: the north-east and the Kootenays are Mountain.
  '236': [DAWSON_CREEK, EDM, VAN],
  '250': [DAWSON_CREEK, EDM, VAN],
  '257': [DAWSON_CREEK, EDM, VAN],
  '672': [DAWSON_CREEK, EDM, VAN],
  '778': [DAWSON_CREEK, EDM, VAN],
  // North-western Ontario is Central.
  '807': [TOR, WPG],
  // Eastern Quebec: the Magdalen Islands and the Lower North Shore are Atlantic.
  '367': [HFX, TOR],
  '418': [HFX, TOR],
  '581': [HFX, TOR],
  // Newfoundland and Labrador.
  '709': [GOOSE, STJ],
  '879': [GOOSE, STJ],
  // Yukon, Northwest Territories and Nunavut.
  '867': [EDM, 'America/Iqaluit', 'America/Rankin_Inlet', 'America/Whitehorse'],
};

function build(): ReadonlyMap<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  for (const [code, [, zones]] of Object.entries(US_AREA_CODES)) map.set(code, [...zones].sort());
  for (const [zone, codes] of Object.entries(SINGLE)) {
    for (const code of codes.split(/\s+/).filter(Boolean)) {
      if (map.has(code)) throw new Error(`area code ${code} listed twice`);
      map.set(code, [zone]);
    }
  }
  for (const [code, zones] of Object.entries(SPLIT)) {
    if (map.has(code)) throw new Error(`area code ${code} listed twice`);
    map.set(code, [...zones].sort());
  }
  return map;
}

/** Area code (3 digits) -> its zones, sorted. Built once at module load. */
export const AREA_CODE_ZONES: ReadonlyMap<string, readonly string[]> = build();

/** The US state (or territory) of a US area code, per NANPA; undefined for other codes. */
export function stateOfAreaCode(code: string): string | undefined {
  return US_AREA_CODES[code]?.[0];
}
