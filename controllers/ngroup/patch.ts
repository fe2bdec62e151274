// Pure: a JSON merge patch (RFC 7386) that turns `from` into `to`: changed keys only, nested
// objects recursed, removed keys as null, arrays replaced whole. Empty object: nothing changed.
import { isDeepStrictEqual } from 'node:util';

const isObj = (x: unknown): x is Record<string, unknown> => Boolean(x) && typeof x === 'object' && !Array.isArray(x);

export function mergePatch(from: unknown, to: unknown): Record<string, unknown> {
  const a = isObj(from) ? from : {};
  const b = isObj(to) ? to : {};
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k];
    const y = b[k];
    if (y === undefined) {
      if (x !== undefined) out[k] = null;
    } else if (isObj(x) && isObj(y)) {
      const sub = mergePatch(x, y);
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (!isDeepStrictEqual(x, y)) {
      out[k] = y;
    }
  }
  return out;
}
