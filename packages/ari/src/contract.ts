import { ariEventTypes, ariModels, ariOperations } from './generated/spec.js';
import type { AriAllowableValues, AriOperationSpec, AriParamSpec } from './spec-types.js';

/**
 * The ARI contract checker: judges a request, a response or an event against Asterisk's own API
 * description (the generated metadata), the way Asterisk would see it. Used by the client's
 * contract tests and by the simulated PBX's tests, so that both sides answer to the same source.
 *
 * Requests are judged in wire form: query values are strings ("1", "true", "a,b") or arrays of
 * strings for parameters that take several values; numbers and booleans are accepted too.
 */

export interface ContractIssue {
  /** Where the problem is: `query.timeout`, `body.variables`, `event.channel.state`, ... */
  where: string;
  message: string;
}

export interface ContractResult {
  ok: boolean;
  /** The operation (resource.nickname) or event type the input was judged as; null if none. */
  subject: string | null;
  issues: ContractIssue[];
}

export interface CheckEventOptions {
  /**
   * Accept properties the description does not list (default false: the simulated PBX must not
   * invent fields). The worker's run-time validation keeps unknown fields regardless.
   */
  allowUnknownProperties?: boolean;
}

export type QueryInput =
  URLSearchParams | Record<string, string | number | boolean | ReadonlyArray<string> | undefined>;

interface CompiledOp {
  spec: AriOperationSpec;
  segments: Array<{ literal: string } | { param: string }>;
  literalCount: number;
}

const compiled: CompiledOp[] = ariOperations.map((spec) => {
  const segments = spec.path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      const m = /^\{(.+)\}$/.exec(s);
      return m?.[1] ? { param: m[1] } : { literal: s };
    });
  return { spec, segments, literalCount: segments.filter((s) => 'literal' in s).length };
});

export interface MatchedOperation {
  operation: AriOperationSpec;
  pathParams: Record<string, string>;
}

/** Strips an optional /ari prefix and a query string. */
function splitPath(path: string): { segments: string[]; search: string } {
  const q = path.indexOf('?');
  const bare = q >= 0 ? path.slice(0, q) : path;
  const search = q >= 0 ? path.slice(q + 1) : '';
  let segments = bare.split('/').filter(Boolean);
  if (segments[0] === 'ari') segments = segments.slice(1);
  return { segments, search };
}

/**
 * Finds the operation a method and concrete path address (`/channels/abc/play`), preferring
 * literal segments over parameters the way Asterisk's router does (`/channels/create` is not
 * `/channels/{channelId}`).
 */
export function findOperation(method: string, path: string): MatchedOperation | null {
  const { segments } = splitPath(path);
  let best: { op: CompiledOp; params: Record<string, string> } | null = null;
  for (const op of compiled) {
    if (op.spec.method !== method.toUpperCase() || op.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const seg = op.segments[i];
      const actual = segments[i] ?? '';
      if (!seg) ok = false;
      else if ('literal' in seg) ok = seg.literal === actual;
      else params[seg.param] = safeDecode(actual);
    }
    if (ok && (!best || op.literalCount > best.op.literalCount)) best = { op, params };
  }
  return best ? { operation: best.op.spec, pathParams: best.params } : null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function queryEntries(query: QueryInput | undefined, search: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const add = (k: string, v: unknown) => {
    const prev = out.get(k);
    if (prev === undefined) out.set(k, v);
    else out.set(k, [...(Array.isArray(prev) ? prev : [prev]), v]);
  };
  if (search) new URLSearchParams(search).forEach((v, k) => add(k, v));
  if (query instanceof URLSearchParams) query.forEach((v, k) => add(k, v));
  else if (query) for (const [k, v] of Object.entries(query)) if (v !== undefined) add(k, v);
  return out;
}

function checkScalar(
  type: string,
  raw: unknown,
  allowable: AriAllowableValues | undefined,
  where: string,
  issues: ContractIssue[],
): void {
  let value: string | number | boolean;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') value = raw;
  else {
    issues.push({ where, message: `must be a ${type}, got ${describe(raw)}` });
    return;
  }
  switch (type) {
    case 'int':
    case 'long': {
      const n =
        typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
      if (!Number.isInteger(n)) {
        issues.push({ where, message: `must be an integer, got ${JSON.stringify(value)}` });
        return;
      }
      if (allowable?.valueType === 'RANGE') {
        if (allowable.min !== undefined && n < allowable.min)
          issues.push({ where, message: `must be >= ${allowable.min}, got ${n}` });
        if (allowable.max !== undefined && n > allowable.max)
          issues.push({ where, message: `must be <= ${allowable.max}, got ${n}` });
      }
      return;
    }
    case 'double': {
      if (Number.isNaN(Number(value)) || value === '')
        issues.push({ where, message: `must be a number, got ${JSON.stringify(value)}` });
      return;
    }
    case 'boolean': {
      if (value !== true && value !== false && value !== 'true' && value !== 'false')
        issues.push({ where, message: `must be true or false, got ${JSON.stringify(value)}` });
      return;
    }
    default: {
      if (typeof value !== 'string') {
        issues.push({ where, message: `must be a string, got ${typeof value}` });
        return;
      }
      if (allowable?.valueType === 'LIST' && allowable.values && !allowable.values.includes(value))
        issues.push({
          where,
          message: `must be one of ${allowable.values.join(', ')}, got ${JSON.stringify(value)}`,
        });
    }
  }
}

function checkQueryParam(p: AriParamSpec, raw: unknown, where: string, issues: ContractIssue[]) {
  const values: unknown[] = Array.isArray(raw)
    ? raw
    : p.multiple && typeof raw === 'string'
      ? raw.split(',')
      : [raw];
  if (!p.multiple && Array.isArray(raw)) {
    issues.push({ where, message: 'takes one value, got several' });
    return;
  }
  for (const v of values) checkScalar(p.type, v, p.allowable, where, issues);
}

/**
 * Body parameters whose dataType in the description is not what Asterisk reads, by operation.
 * asterisk.updateObject's `fields` says "containers", but its own description and Asterisk's
 * res_ari_asterisk read a list of ConfigTuple: {"fields": [{"attribute": "...", "value": "..."}]}.
 */
const BODY_TYPE_FIXES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'asterisk.updateObject': { fields: 'List[ConfigTuple]' },
};

function checkBodyParam(
  opId: string,
  p: AriParamSpec,
  raw: unknown,
  where: string,
  issues: ContractIssue[],
) {
  const fixed = BODY_TYPE_FIXES[opId]?.[p.name];
  if (fixed) {
    checkValue(fixed, raw, undefined, where, issues, {});
    return;
  }
  if (!isObject(raw)) {
    issues.push({ where, message: `must be a JSON object, got ${describe(raw)}` });
    return;
  }
  if (p.type === 'containers') {
    // Key/value pairs; ARI also takes {"value": "...", "report_events": true} as a value.
    for (const [k, v] of Object.entries(raw)) {
      const fine =
        typeof v === 'string' ||
        (isObject(v) &&
          typeof v.value === 'string' &&
          ['undefined', 'boolean'].includes(typeof v.report_events));
      if (!fine)
        issues.push({ where: `${where}.${k}`, message: `must be a string, got ${describe(v)}` });
    }
  }
}

/**
 * Judges one REST request against the description: the method and path must name an operation;
 * path, query and body parameters must be known, required ones present, values of the right
 * type and inside their allowable values.
 */
export function checkRequest(
  method: string,
  path: string,
  query?: QueryInput,
  body?: unknown,
): ContractResult {
  const issues: ContractIssue[] = [];
  const match = findOperation(method, path);
  if (!match) {
    return {
      ok: false,
      subject: null,
      issues: [
        {
          where: 'path',
          message: `no ARI operation ${method.toUpperCase()} ${splitPath(path)
            .segments.map((s) => `/${s}`)
            .join('')}`,
        },
      ],
    };
  }
  const { operation: op, pathParams } = match;
  const q = queryEntries(query, splitPath(path).search);
  const present = new Set<string>();

  for (const [name, value] of Object.entries(pathParams)) {
    present.add(name);
    if (value === '') issues.push({ where: `path.${name}`, message: 'must not be empty' });
  }
  for (const [name, raw] of q) {
    const p = op.params.find((x) => x.name === name && x.in === 'query');
    if (!p) {
      issues.push({ where: `query.${name}`, message: `unknown parameter for ${op.id}` });
      continue;
    }
    present.add(name);
    checkQueryParam(p, raw, `query.${name}`, issues);
  }
  if (body !== undefined && body !== null) {
    const bodyParams = op.params.filter((x) => x.in === 'body');
    if (!isObject(body)) {
      issues.push({ where: 'body', message: `must be a JSON object, got ${describe(body)}` });
    } else if (bodyParams.length === 0) {
      issues.push({ where: 'body', message: `${op.id} takes no body` });
    } else {
      const single = bodyParams.length === 1 ? bodyParams[0] : undefined;
      const wholeBody = single && single.type === 'object' && !(single.name in body);
      if (wholeBody && single) {
        present.add(single.name);
      } else {
        for (const [name, raw] of Object.entries(body)) {
          const bp = bodyParams.find((x) => x.name === name);
          // ARI reads other keys of a JSON body as query parameters.
          const qp = op.params.find((x) => x.name === name && x.in === 'query');
          if (bp) {
            present.add(name);
            checkBodyParam(op.id, bp, raw, `body.${name}`, issues);
          } else if (qp) {
            present.add(name);
            checkQueryParam(qp, raw, `body.${name}`, issues);
          } else issues.push({ where: `body.${name}`, message: `unknown parameter for ${op.id}` });
        }
      }
    }
  }
  for (const p of op.params) {
    if (p.required && !present.has(p.name))
      issues.push({ where: `${p.in}.${p.name}`, message: `required by ${op.id}` });
  }
  return { ok: issues.length === 0, subject: op.id, issues };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

const ASTERISK_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** Checks a JSON value against a Swagger type (model name, List[...], or a primitive). */
function checkValue(
  type: string,
  value: unknown,
  allowable: AriAllowableValues | undefined,
  where: string,
  issues: ContractIssue[],
  opts: CheckEventOptions,
): void {
  const list = /^List\[(.+)\]$/.exec(type)?.[1];
  if (list) {
    if (!Array.isArray(value)) {
      issues.push({ where, message: `must be an array, got ${describe(value)}` });
      return;
    }
    value.forEach((v, i) => checkValue(list, v, undefined, `${where}[${i}]`, issues, opts));
    return;
  }
  const model = ariModels[type];
  if (model) {
    checkModel(type, value, where, issues, opts);
    return;
  }
  switch (type) {
    case 'string':
      if (typeof value !== 'string')
        issues.push({ where, message: `must be a string, got ${describe(value)}` });
      else if (
        allowable?.valueType === 'LIST' &&
        allowable.values &&
        !allowable.values.includes(value)
      )
        issues.push({
          where,
          message: `must be one of ${allowable.values.join(', ')}, got ${JSON.stringify(value)}`,
        });
      return;
    case 'Date':
      if (typeof value !== 'string' || !ASTERISK_DATE.test(value))
        issues.push({
          where,
          message: `must be an Asterisk timestamp (2026-01-31T12:00:00.000+0000), got ${JSON.stringify(value)}`,
        });
      return;
    case 'int':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value))
        issues.push({ where, message: `must be an integer, got ${describe(value)}` });
      return;
    case 'double':
      if (typeof value !== 'number')
        issues.push({ where, message: `must be a number, got ${describe(value)}` });
      return;
    case 'boolean':
      if (typeof value !== 'boolean')
        issues.push({ where, message: `must be a boolean, got ${describe(value)}` });
      return;
    case 'object':
      if (!isObject(value))
        issues.push({ where, message: `must be an object, got ${describe(value)}` });
      return;
    default:
      // A type the description names but never defines: nothing to check against.
      return;
  }
}

function checkModel(
  name: string,
  value: unknown,
  where: string,
  issues: ContractIssue[],
  opts: CheckEventOptions,
): void {
  const model = ariModels[name];
  if (!model) return;
  if (!isObject(value)) {
    issues.push({ where, message: `must be a ${name} object, got ${describe(value)}` });
    return;
  }
  for (const [prop, spec] of Object.entries(model.props)) {
    const v = value[prop];
    if (v === undefined) {
      if (spec.required) issues.push({ where: `${where}.${prop}`, message: `required in ${name}` });
      continue;
    }
    checkValue(spec.type, v, spec.allowable, `${where}.${prop}`, issues, opts);
  }
  if (!opts.allowUnknownProperties) {
    for (const prop of Object.keys(value)) {
      if (!(prop in model.props))
        issues.push({ where: `${where}.${prop}`, message: `not a property of ${name}` });
    }
  }
}

const eventTypeSet = new Set(ariEventTypes);

/**
 * Judges one message of the events WebSocket: `type` must be an ARI event, its required fields
 * present and every field of the type the description gives (recursively into channels, bridges,
 * playbacks), enumerations inside their values, and (unless allowed) no invented fields.
 */
export function checkEvent(event: unknown, opts: CheckEventOptions = {}): ContractResult {
  if (!isObject(event) || typeof event.type !== 'string') {
    return {
      ok: false,
      subject: null,
      issues: [{ where: 'event.type', message: 'must be a string' }],
    };
  }
  if (!eventTypeSet.has(event.type)) {
    return {
      ok: false,
      subject: event.type,
      issues: [
        { where: 'event.type', message: `${JSON.stringify(event.type)} is not an ARI event` },
      ],
    };
  }
  const issues: ContractIssue[] = [];
  checkModel(event.type, event, 'event', issues, opts);
  return { ok: issues.length === 0, subject: event.type, issues };
}

/**
 * Judges a REST response: a 2xx body must match the operation's response class (void: no body);
 * an error must carry {"message": string} (or Asterisk's {"error": string} on 500).
 */
export function checkResponse(
  method: string,
  path: string,
  status: number,
  body: unknown,
  opts: CheckEventOptions = {},
): ContractResult {
  const match = findOperation(method, path);
  if (!match) return checkRequest(method, path);
  const op = match.operation;
  const issues: ContractIssue[] = [];
  if (status >= 200 && status < 300) {
    if (op.responseClass === 'void') {
      if (body !== undefined && body !== null && body !== '')
        issues.push({ where: 'body', message: `${op.id} returns no body (204)` });
    } else if (op.responseClass !== 'binary') {
      checkValue(op.responseClass, body, undefined, 'body', issues, opts);
    }
  } else {
    const fine =
      isObject(body) && (typeof body.message === 'string' || typeof body.error === 'string');
    if (!fine) issues.push({ where: 'body', message: 'an error must carry {"message": string}' });
  }
  return { ok: issues.length === 0, subject: op.id, issues };
}

/** One line per issue, for test failure messages. */
export function formatIssues(result: ContractResult): string {
  return result.issues.map((i) => `${result.subject ?? '?'} ${i.where}: ${i.message}`).join('\n');
}
