// az-style output: -o json|jsonc|tsv|table|yaml|none and --query (JMESPath, as az does).
import jmespath from 'jmespath';
import { stringify } from 'yaml';

export type OutputFormat = 'json' | 'jsonc' | 'tsv' | 'table' | 'yaml' | 'none';
export const FORMATS: OutputFormat[] = ['json', 'jsonc', 'tsv', 'table', 'yaml', 'none'];

/** az prints JSON with sorted keys and two-space indents. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Python prints float fields such as percentComplete as 1.0, not 1. */
function pythonFloats(json: string): string {
  return json.replace(/("percentComplete": )(-?\d+)(,?\n)/g, '$1$2.0$3');
}

function colorize(json: string): string {
  return json.replace(
    /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?)/g,
    (m, str: string, colon: string, lit: string, num: string) => {
      if (str) return colon ? `\x1b[94m${str}\x1b[0m${colon}` : `\x1b[32m${str}\x1b[0m`;
      if (lit) return `\x1b[95m${lit}\x1b[0m`;
      if (num) return `\x1b[93m${num}\x1b[0m`;
      return m;
    },
  );
}

const scalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function tsv(v: unknown): string {
  const row = (o: unknown): string => {
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      return Object.keys(o)
        .sort()
        .map((k) => (o as Record<string, unknown>)[k])
        .filter(scalar)
        .map(cell)
        .join('\t');
    }
    return cell(o);
  };
  if (Array.isArray(v)) return v.map(row).join('\n');
  return row(v);
}

export interface Column {
  header: string;
  get: (o: Record<string, unknown>) => unknown;
}

function table(v: unknown, columns?: Column[]): string {
  const rows = (Array.isArray(v) ? v : [v]).filter((r) => r !== undefined) as Record<string, unknown>[];
  if (rows.length === 0) return '';
  const cols: Column[] =
    columns ??
    Object.keys(rows[0] && typeof rows[0] === 'object' ? rows[0] : { Result: rows[0] })
      .filter((k) => rows.every((r) => typeof r !== 'object' || scalar(r[k]) || r[k] === undefined))
      .map((k) => ({ header: k.charAt(0).toUpperCase() + k.slice(1), get: (o) => (typeof o === 'object' ? o[k] : o) }));
  const cells = rows.map((r) => cols.map((c) => cell(c.get(r))));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (vals: string[]): string =>
    vals
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cols.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function render(result: unknown, opts: { output?: string; query?: string; columns?: Column[] }): string {
  const format = (opts.output ?? 'json') as OutputFormat;
  let v = result;
  if (opts.query) v = jmespath.search(v as never, opts.query);
  switch (format) {
    case 'none':
      return '';
    case 'tsv':
      return tsv(v);
    case 'table':
      return table(v, opts.query ? undefined : opts.columns);
    case 'yaml':
      return stringify(sortKeys(v)).trimEnd();
    case 'jsonc':
      return colorize(pythonFloats(JSON.stringify(sortKeys(v), null, 2)));
    default:
      return pythonFloats(JSON.stringify(sortKeys(v), null, 2));
  }
}
