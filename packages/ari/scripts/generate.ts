/**
 * Generates packages/ari/src/generated/* from Asterisk's own ARI description (Swagger 1.1 JSON in
 * ../shared/ari, outside the repository; ARI_SPEC_DIR overrides). The output is committed so that
 * builds do not need the description; run `npm run ari:generate` after the description changes.
 *
 * Emits: TypeScript interfaces for every model, a parameter interface for every operation,
 * metadata (`ariOperations`, `ariModels`) the contract checker interprets, and zod schemas for
 * every event (and the models events carry) used to validate the events WebSocket at run time.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const specDir = process.env.ARI_SPEC_DIR ?? path.resolve(repoRoot, '../shared/ari');
const outDir = process.env.ARI_GENERATED_DIR ?? path.resolve(here, '../src/generated');

interface SwaggerProperty {
  type: string;
  required?: boolean;
  description?: string;
  allowableValues?: AllowableValues;
}
interface AllowableValues {
  valueType: 'LIST' | 'RANGE';
  values?: string[];
  min?: number;
  max?: number;
}
interface SwaggerModel {
  id: string;
  description?: string;
  properties?: Record<string, SwaggerProperty>;
  subTypes?: string[];
  discriminator?: string;
}
interface SwaggerParameter {
  name: string;
  description?: string;
  paramType: 'query' | 'path' | 'body';
  required?: boolean;
  allowMultiple?: boolean;
  dataType: string;
  defaultValue?: unknown;
  allowableValues?: AllowableValues;
}
interface SwaggerOperation {
  httpMethod: string;
  nickname: string;
  summary?: string;
  responseClass: string;
  upgrade?: string;
  parameters?: SwaggerParameter[];
  errorResponses?: Array<{ code: number; reason: string }>;
}
interface SwaggerApi {
  path: string;
  operations: SwaggerOperation[];
}
interface SwaggerFile {
  apiVersion: string;
  resourcePath: string;
  apis: SwaggerApi[];
  models?: Record<string, SwaggerModel>;
}

const resources = JSON.parse(readFileSync(path.join(specDir, 'resources.json'), 'utf8')) as {
  apiVersion: string;
  apis: Array<{ path: string }>;
};
const files: Array<{ resource: string; file: SwaggerFile }> = resources.apis.map((a) => {
  const name = a.path.replace('/api-docs/', '').replace('.{format}', '');
  const file = JSON.parse(
    readFileSync(path.join(specDir, 'api-docs', `${name}.json`), 'utf8'),
  ) as SwaggerFile;
  return { resource: name, file };
});
// Every listed resource file must exist and nothing unlisted should hide in api-docs/.
const listed = new Set(files.map((f) => `${f.resource}.json`));
for (const f of readdirSync(path.join(specDir, 'api-docs'))) {
  if (!listed.has(f)) console.warn(`note: ${f} is not listed in resources.json; ignored`);
}

const models = new Map<string, SwaggerModel>();
for (const { file } of files) {
  for (const [id, m] of Object.entries(file.models ?? {})) models.set(id, { ...m, id });
}

// Parent of each model (Message -> Event -> StasisStart): properties are inherited.
const parentOf = new Map<string, string>();
for (const m of models.values()) for (const s of m.subTypes ?? []) parentOf.set(s, m.id);

function allProperties(id: string): Array<[string, SwaggerProperty]> {
  const chain: string[] = [];
  for (let cur: string | undefined = id; cur; cur = parentOf.get(cur)) chain.unshift(cur);
  const props = new Map<string, SwaggerProperty>();
  for (const c of chain) {
    for (const [k, v] of Object.entries(models.get(c)?.properties ?? {})) props.set(k, v);
  }
  return [...props.entries()];
}

function isEventModel(id: string): boolean {
  for (let cur = parentOf.get(id); cur; cur = parentOf.get(cur)) if (cur === 'Event') return true;
  return false;
}
const eventTypes = [...models.keys()].filter(isEventModel).sort();

const listOf = (t: string): string | null => /^List\[(.+)\]$/.exec(t)?.[1] ?? null;
const quote = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
const doc = (s: string | undefined, indent = '') =>
  s
    ? `${indent}/** ${s
        .replace(/\*\//g, '*\\/')
        .replace(/\s*\n\s*/g, ' ')
        .trim()} */\n`
    : '';

function tsType(t: string, av?: AllowableValues): string {
  const inner = listOf(t);
  if (inner) return `Array<${tsType(inner)}>`;
  if (av?.valueType === 'LIST' && av.values)
    return av.values.map((v) => JSON.stringify(v)).join(' | ');
  switch (t) {
    case 'string':
    case 'Date':
      return 'string';
    case 'int':
    case 'long':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'Record<string, unknown>';
    case 'containers':
      return 'Record<string, unknown>';
    case 'void':
      return 'void';
    case 'binary':
      return 'ArrayBuffer';
    default:
      return models.has(t) ? t : 'unknown';
  }
}

const header = `// GENERATED by packages/ari/scripts/generate.ts from Asterisk's ARI description
// (ARI ${resources.apiVersion}). Do not edit by hand: run \`npm run ari:generate\`.
/* eslint-disable */
`;

// ---------- models.ts ----------
let modelsTs = header;
for (const m of [...models.values()].sort((a, b) => a.id.localeCompare(b.id))) {
  modelsTs += `\n${doc(m.description)}export interface ${m.id} {\n`;
  for (const [k, p] of allProperties(m.id)) {
    const t =
      k === 'type' && isEventModel(m.id) ? JSON.stringify(m.id) : tsType(p.type, p.allowableValues);
    modelsTs += `${doc(p.description, '  ')}  ${quote(k)}${p.required ? '' : '?'}: ${t};\n`;
  }
  modelsTs += '}\n';
}
modelsTs += `\n/** Every event type Asterisk can send on the events WebSocket. */\nexport type AriEventType =\n${eventTypes.map((e) => `  | ${JSON.stringify(e)}`).join('\n')};\n`;
modelsTs += `\n/** Event type -> its model. */\nexport interface AriEventMap {\n${eventTypes.map((e) => `  ${e}: ${e};`).join('\n')}\n}\n`;
modelsTs += `\n/** Any event from the events WebSocket, discriminated by \`type\`. */\nexport type AriEvent = AriEventMap[AriEventType];\n`;

// ---------- operations.ts ----------
interface OpOut {
  id: string;
  resource: string;
  nickname: string;
  method: string;
  path: string;
  responseClass: string;
  upgrade: string | null;
  params: SwaggerParameter[];
  errors: Array<{ code: number; reason: string }>;
  summary: string;
}
const ops: OpOut[] = [];
for (const { resource, file } of files) {
  for (const api of file.apis) {
    for (const op of api.operations) {
      ops.push({
        id: `${resource}.${op.nickname}`,
        resource,
        nickname: op.nickname,
        method: op.httpMethod,
        path: api.path,
        responseClass: op.responseClass,
        upgrade: op.upgrade ?? null,
        params: op.parameters ?? [],
        errors: op.errorResponses ?? [],
        summary: op.summary ?? '',
      });
    }
  }
}
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const paramsName = (o: OpOut) => `${pascal(o.resource)}${pascal(o.nickname)}Params`;

let opsTs = header + `import type * as M from './models.js';\n`;
for (const o of ops) {
  opsTs += `\n/** ${o.method} ${o.path}: ${o.summary.replace(/\*\//g, '')} */\nexport interface ${paramsName(o)} {\n`;
  for (const p of o.params) {
    let t = tsType(p.dataType, p.allowableValues).replace(/\b([A-Z]\w+)\b/g, (n) =>
      models.has(n) ? `M.${n}` : n,
    );
    if (p.allowMultiple && p.paramType === 'query')
      t = `${t.includes('|') ? `(${t})` : t}[] | ${t}`;
    const required = p.required || p.paramType === 'path';
    opsTs += `${doc(`${p.paramType} parameter. ${p.description ?? ''}`, '  ')}  ${quote(p.name)}${required ? '' : '?'}: ${t};\n`;
  }
  opsTs += '}\n';
}
opsTs += `\n/** Operation id (resource.nickname) -> its parameters. */\nexport interface AriOperationParams {\n${ops.map((o) => `  ${JSON.stringify(o.id)}: ${paramsName(o)};`).join('\n')}\n}\n`;
opsTs += `\n/** Operation id (resource.nickname) -> its response body type. */\nexport interface AriOperationResult {\n${ops
  .map((o) => {
    const t = tsType(o.responseClass).replace(/\b([A-Z]\w+)\b/g, (n) =>
      models.has(n) ? `M.${n}` : n,
    );
    return `  ${JSON.stringify(o.id)}: ${t};`;
  })
  .join('\n')}\n}\nexport type AriOperationId = keyof AriOperationParams;\n`;

// ---------- spec.ts (metadata for the contract checker) ----------
const specOps = ops.map((o) => ({
  id: o.id,
  method: o.method,
  path: o.path,
  responseClass: o.responseClass,
  upgrade: o.upgrade,
  params: o.params.map((p) => ({
    name: p.name,
    in: p.paramType,
    required: Boolean(p.required) || p.paramType === 'path',
    type: p.dataType,
    multiple: Boolean(p.allowMultiple),
    ...(p.allowableValues ? { allowable: p.allowableValues } : {}),
  })),
  errors: o.errors.map((e) => Number(e.code)),
}));
const specModels: Record<string, { props: Record<string, unknown>; event: boolean }> = {};
for (const id of [...models.keys()].sort()) {
  const props: Record<string, unknown> = {};
  for (const [k, p] of allProperties(id)) {
    props[k] = {
      type: p.type,
      required: Boolean(p.required),
      ...(p.allowableValues ? { allowable: p.allowableValues } : {}),
    };
  }
  specModels[id] = { props, event: isEventModel(id) };
}
let specTs = header + `import type { AriModelSpec, AriOperationSpec } from '../spec-types.js';\n\n`;
specTs += `/** ARI version of the description the files were generated from. */\nexport const ariApiVersion = ${JSON.stringify(resources.apiVersion)};\n\n`;
specTs += `/** Every REST operation: method, path template, parameters, response class. */\nexport const ariOperations: ReadonlyArray<AriOperationSpec> = ${JSON.stringify(specOps, null, 1)};\n\n`;
specTs += `/** Every model with its own and inherited properties. */\nexport const ariModels: Readonly<Record<string, AriModelSpec>> = ${JSON.stringify(specModels, null, 1)};\n\n`;
specTs += `/** Every event type. */\nexport const ariEventTypes: ReadonlyArray<string> = ${JSON.stringify(eventTypes)};\n`;

// ---------- events.zod.ts ----------
// Models reachable from events, in dependency order (no cycles in ARI's models; checked here).
const needed: string[] = [];
const visiting = new Set<string>();
function visit(id: string): void {
  if (needed.includes(id)) return;
  if (visiting.has(id)) throw new Error(`model cycle through ${id}: use z.lazy`);
  visiting.add(id);
  for (const [, p] of allProperties(id)) {
    const base = listOf(p.type) ?? p.type;
    if (models.has(base)) visit(base);
  }
  visiting.delete(id);
  needed.push(id);
}
for (const e of eventTypes) visit(e);
for (const o of ops) {
  const base = listOf(o.responseClass) ?? o.responseClass;
  if (models.has(base)) visit(base);
}

function zodType(t: string, av?: AllowableValues): string {
  const inner = listOf(t);
  if (inner) return `z.array(${zodType(inner)})`;
  if (av?.valueType === 'LIST' && av.values) return `z.enum(${JSON.stringify(av.values)})`;
  switch (t) {
    case 'string':
      return 'z.string()';
    case 'Date':
      return 'ariDate';
    case 'int':
    case 'long':
      return 'z.number().int()';
    case 'double':
      return 'z.number()';
    case 'boolean':
      return 'z.boolean()';
    case 'object':
      return 'z.record(z.string(), z.unknown())';
    default:
      return models.has(t) ? `${t}Schema` : 'z.unknown()';
  }
}
let zodTs =
  header +
  `import { z } from 'zod';\nimport type * as M from './models.js';\n\n` +
  `/** Asterisk's timestamps, e.g. 2026-11-24T20:27:24.272+0000. */\nexport const ariDate = z.string().regex(/^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})$/);\n` +
  `// Unknown properties are kept (a newer Asterisk may add fields); the contract checker reports them.\n`;
for (const id of needed) {
  const fields = allProperties(id).map(([k, p]) => {
    let t =
      k === 'type' && isEventModel(id)
        ? `z.literal(${JSON.stringify(id)})`
        : zodType(p.type, p.allowableValues);
    if (!p.required) t += '.optional()';
    return `  ${quote(k)}: ${t},`;
  });
  zodTs += `\nexport const ${id}Schema: z.ZodType<M.${id}> = z.looseObject({\n${fields.join('\n')}\n});\n`;
}
zodTs += `\n/** Event type -> its schema. */\nexport const ariEventSchemas: { readonly [K in M.AriEventType]: z.ZodType<M.AriEventMap[K]> } = {\n${eventTypes.map((e) => `  ${e}: ${e}Schema,`).join('\n')}\n};\n`;
zodTs += `\n/** Model name -> its schema, for models carried by events or returned by operations. */\nexport const ariModelSchemas: Readonly<Record<string, z.ZodType>> = {\n${needed.map((e) => `  ${e}: ${e}Schema,`).join('\n')}\n};\n`;

mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'models.ts'), modelsTs);
writeFileSync(path.join(outDir, 'operations.ts'), opsTs);
writeFileSync(path.join(outDir, 'spec.ts'), specTs);
writeFileSync(path.join(outDir, 'events.zod.ts'), zodTs);
console.log(
  `ari:generate: ${models.size} models, ${ops.length} operations, ${eventTypes.length} events (ARI ${resources.apiVersion}) -> ${path.relative(repoRoot, outDir)}`,
);
