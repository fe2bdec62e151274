// Validates ARM response bodies against the published Azure REST specs kept in
// test/fixtures/azure-rest-specs (swagger 2.0, MIT). A response is matched to its swagger path and
// operation by method and path, then its body is checked with ajv against the response schema for
// its status code ($refs across files resolved). Routes the kept specs do not describe are
// reported as not covered rather than passed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import AjvModule, { type ValidateFunction } from 'ajv';

// ajv is CommonJS: under NodeNext its class is the default export's default.
const Ajv = AjvModule.default;

const SPECS = new URL('../fixtures/azure-rest-specs/specification/', import.meta.url).pathname;

type Json = Record<string, any>;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? (f === 'examples' ? [] : files(p)) : f.endsWith('.json') ? [p] : [];
  });
}

/** Swagger 2.0 quirks JSON Schema does not have: x-nullable, extensible enums (x-ms-enum modelAsString). */
function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize);
  if (!node || typeof node !== 'object') return node;
  const o: Json = {};
  for (const [k, v] of Object.entries(node as Json)) o[k] = normalize(v);
  if (o['x-ms-enum']?.modelAsString === true) delete o.enum;
  if (o['x-nullable'] === true && typeof o.type === 'string') o.type = [o.type, 'null'];
  if (o.type === 'file') delete o.type;
  return o;
}

interface Operation {
  file: string;
  template: string;
  regex: RegExp;
  literal: number;
  responses: Record<string, { schema?: Json }>;
}

export interface Check {
  covered: boolean;
  /** spec file and path template the response was checked against */
  against?: string;
  errors: string[];
}

export class ArmSchemas {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly ops = new Map<string, Operation[]>();
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(root = SPECS) {
    for (const f of files(root)) {
      const doc = normalize(JSON.parse(readFileSync(f, 'utf8'))) as Json;
      // The specs refer to v5 `systemData`; this copy of types.json names it `SystemData`.
      if (doc.definitions?.SystemData && !doc.definitions.systemData) doc.definitions.systemData = doc.definitions.SystemData;
      const id = pathToFileURL(f).href;
      this.ajv.addSchema({ ...doc, $id: id, paths: undefined }, id);
      for (const [template, item] of Object.entries((doc.paths ?? {}) as Json)) {
        const literal = template.replace(/\{[^}]+\}/g, '').length;
        const regex = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`, 'i');
        for (const [method, op] of Object.entries(item as Json)) {
          if (!op || typeof op !== 'object' || !(op as Json).responses) continue;
          const list = this.ops.get(method.toUpperCase()) ?? [];
          list.push({ file: id, template, regex, literal, responses: (op as Json).responses });
          this.ops.set(method.toUpperCase(), list);
        }
      }
    }
  }

  private match(method: string, path: string): Operation | undefined {
    const clean = path.split('?')[0]!.replace(/\/+$/, '');
    return (this.ops.get(method.toUpperCase()) ?? []).filter((o) => o.regex.test(clean)).sort((a, b) => b.literal - a.literal)[0];
  }

  /** Checks one response. Bodies of routes the specs do not describe are not covered. */
  check(method: string, path: string, status: number, body: unknown): Check {
    const op = this.match(method, path);
    if (!op) return { covered: false, errors: [] };
    const resp = op.responses[String(status)] ?? (status >= 400 ? op.responses.default : undefined);
    const against = `${relative(SPECS, new URL(op.file).pathname)} ${method.toUpperCase()} ${op.template} ${status}`;
    if (!resp) return { covered: true, against, errors: [`status ${status} is not a documented response of ${method} ${op.template}`] };
    if (!resp.schema)
      return {
        covered: true,
        against,
        errors: body === undefined || body === '' ? [] : [`${method} ${op.template} ${status} documents no body`],
      };
    const key = `${op.file}|${op.template}|${method}|${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const schema = resp.schema.$ref
        ? { $ref: new URL(resp.schema.$ref, op.file).href }
        : { ...resp.schema, $id: `${op.file}#inline-${this.cache.size}` };
      validate = this.ajv.compile(schema.$ref ? schema : rebase(schema, op.file));
      this.cache.set(key, validate);
    }
    const v = validate;
    const ok = v(body);
    return {
      covered: true,
      against,
      errors: ok
        ? []
        : (v.errors ?? []).map(
            (e) =>
              `${e.instancePath || '/'} ${e.message}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`,
          ),
    };
  }

  /** A schema for an ARM long-running operation status (the Azure-AsyncOperation body): common-types OperationStatusResult. */
  checkAsyncStatus(body: unknown): Check {
    const id = pathToFileURL(join(SPECS, 'common-types/resource-management/v5/types.json')).href;
    const validate = this.ajv.getSchema(`${id}#/definitions/OperationStatusResult`)!;
    const ok = validate(body);
    return {
      covered: true,
      against: 'common-types v5 OperationStatusResult',
      errors: ok
        ? []
        : (validate.errors ?? []).map((e: { instancePath: string; message?: string }) => `${e.instancePath || '/'} ${e.message}`),
    };
  }
}

/** Inline response schemas carry relative $refs: make them absolute against their file. */
function rebase(schema: Json, file: string): Json {
  const walk = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(walk);
    if (!n || typeof n !== 'object') return n;
    const o: Json = {};
    for (const [k, v] of Object.entries(n as Json)) o[k] = k === '$ref' && typeof v === 'string' ? new URL(v, file).href : walk(v);
    return o;
  };
  const out = walk(schema) as Json;
  delete out.$id;
  return out;
}
