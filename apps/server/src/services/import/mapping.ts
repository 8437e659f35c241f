import { LEAD_FIELDS, type LeadField } from '@ringside/protocol';
import { ValidationError } from '../../errors.js';

/** Lead fields a CSV column can fill (@ringside/protocol, shared with the panel's scripts). */
export { LEAD_FIELDS, type LeadField };

/**
 * Which CSV header fills which lead field: `{ phone: 'Cell', first_name: 'Given name' }`.
 * `alt_phones` may name several headers. Fields not named are detected from the usual header
 * names (see AUTO_HEADERS); columns used by no field go to `custom`.
 */
export type ColumnMapping = Partial<Record<LeadField, string | string[]>>;

/** Header names recognised without a mapping, compared lower-case with spaces/dashes as '_'. */
const AUTO_HEADERS: Record<LeadField, readonly string[]> = {
  phone: ['phone', 'phone_number', 'phonenumber', 'telephone', 'tel', 'number', 'mobile', 'cell'],
  alt_phones: [
    'alt',
    'alt_phone',
    'alt_phones',
    'alternate_phone',
    'phone2',
    'phone_2',
    'alt_phone_1',
    'alt_phone_2',
    'alt_phone_3',
  ],
  first_name: ['first_name', 'firstname', 'first', 'given_name'],
  last_name: ['last_name', 'lastname', 'last', 'surname', 'family_name'],
  address: ['address', 'address1', 'address_1', 'street', 'street_address'],
  city: ['city', 'town'],
  state: ['state', 'province', 'region', 'st'],
  postal_code: ['postal_code', 'postalcode', 'zip', 'zipcode', 'zip_code', 'postcode', 'post_code'],
  country: ['country', 'country_code'],
  time_zone: ['time_zone', 'timezone', 'tz'],
};

/** The mapping resolved against one file's header: column indexes per field. */
export interface ResolvedMapping {
  header: string[];
  /** Column index of each single-valued field, when mapped. */
  fields: Partial<Record<Exclude<LeadField, 'alt_phones'>, number>>;
  altPhones: number[];
  /** Columns going to `custom`: [index, key]. */
  custom: Array<[number, string]>;
  /** For import_jobs.mapping: field -> header(s). */
  used: Record<string, string | string[]>;
}

const normalise = (h: string): string =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_');

/** Validates a user mapping's shape (field names, header strings) before any file is read. */
export function checkMapping(mapping: unknown): ColumnMapping {
  if (mapping === undefined || mapping === null) return {};
  if (typeof mapping !== 'object' || Array.isArray(mapping)) {
    throw new ValidationError('mapping must be an object of lead field -> CSV header', [
      { path: 'mapping', message: 'must be an object' },
    ]);
  }
  const out: ColumnMapping = {};
  for (const [field, value] of Object.entries(mapping as Record<string, unknown>)) {
    if (!(LEAD_FIELDS as readonly string[]).includes(field)) {
      throw new ValidationError(
        `mapping: unknown lead field "${field}" (known: ${LEAD_FIELDS.join(', ')})`,
        [{ path: `mapping.${field}`, message: 'unknown lead field' }],
      );
    }
    const headers = Array.isArray(value) ? value : [value];
    if (headers.length === 0 || !headers.every((h) => typeof h === 'string' && h.trim() !== '')) {
      throw new ValidationError(`mapping: ${field} must name a CSV header`, [
        { path: `mapping.${field}`, message: 'must be a non-empty header name' },
      ]);
    }
    if (field !== 'alt_phones' && headers.length > 1) {
      throw new ValidationError(`mapping: ${field} takes one CSV header`, [
        { path: `mapping.${field}`, message: 'takes one header' },
      ]);
    }
    out[field as LeadField] =
      field === 'alt_phones' ? (headers as string[]) : (headers[0] as string);
  }
  return out;
}

/**
 * Resolves the mapping against the file's header row. Throws ValidationError (the file imports
 * nothing) when a mapped header is missing, a header repeats, or no phone column is found.
 */
export function resolveMapping(header: string[], mapping: ColumnMapping): ResolvedMapping {
  const names = header.map((h) => h.trim());
  const seen = new Map<string, number>();
  names.forEach((h, i) => {
    if (h === '') return;
    if (seen.has(h)) {
      throw new ValidationError(
        `the header "${h}" appears twice (columns ${(seen.get(h) ?? 0) + 1} and ${i + 1})`,
        [{ path: 'header', message: `duplicate header ${h}` }],
      );
    }
    seen.set(h, i);
  });

  const taken = new Set<number>();
  const fields: ResolvedMapping['fields'] = {};
  const altPhones: number[] = [];
  const used: Record<string, string | string[]> = {};
  const find = (wanted: string): number => {
    const exact = seen.get(wanted.trim());
    if (exact !== undefined) return exact;
    return names.findIndex((h) => normalise(h) === normalise(wanted));
  };

  for (const field of LEAD_FIELDS) {
    const wanted = mapping[field];
    if (wanted === undefined) continue;
    const list = Array.isArray(wanted) ? wanted : [wanted];
    for (const h of list) {
      const i = find(h);
      if (i < 0) {
        throw new ValidationError(
          `mapping: the file has no column "${h}" (for ${field}); its header is: ${names.join(', ')}`,
          [{ path: `mapping.${field}`, message: `no column ${h}` }],
        );
      }
      if (taken.has(i)) {
        throw new ValidationError(`mapping: column "${h}" is mapped to two fields`, [
          { path: `mapping.${field}`, message: `column ${h} already mapped` },
        ]);
      }
      taken.add(i);
      if (field === 'alt_phones') altPhones.push(i);
      else fields[field] = i;
    }
    used[field] = Array.isArray(wanted)
      ? list.map((h) => names[find(h)] ?? h)
      : (names[find(wanted)] ?? wanted);
  }

  // Detect the fields the mapping did not name from the usual header names.
  for (const field of LEAD_FIELDS) {
    if (mapping[field] !== undefined) continue;
    const autos = AUTO_HEADERS[field];
    const hits = names
      .map((h, i) => ({ h, i }))
      .filter(({ h, i }) => !taken.has(i) && autos.includes(normalise(h)));
    if (hits.length === 0) continue;
    if (field === 'alt_phones') {
      for (const { i } of hits) {
        taken.add(i);
        altPhones.push(i);
      }
      used[field] = hits.map(({ h }) => h);
    } else {
      const first = hits[0];
      if (first === undefined) continue;
      taken.add(first.i);
      fields[field] = first.i;
      used[field] = first.h;
    }
  }

  if (fields.phone === undefined) {
    throw new ValidationError(
      `no phone column: name it in the mapping (phone=<header>) or call it "phone"; the header is: ${names.join(', ')}`,
      [{ path: 'mapping.phone', message: 'no phone column' }],
    );
  }

  const custom: Array<[number, string]> = [];
  names.forEach((h, i) => {
    if (!taken.has(i)) custom.push([i, h === '' ? `column_${i + 1}` : h]);
  });
  return { header: names, fields, altPhones, custom, used };
}
