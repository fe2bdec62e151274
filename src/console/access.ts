// Pure: who may use the console. Requests must come over loopback, name a loopback host (no DNS
// rebinding), and carry the console's token: `?token=` once (then a SameSite=Strict cookie), the
// cookie, or the X-Aksim-Console-Token header. Actions (POST) must also come from the page's own
// origin. The console's token is its own: the ARM layer's sign-in is not asked for here.
import { timingSafeEqual } from 'node:crypto';

export const COOKIE = 'aksim_console';
export const HEADER = 'x-aksim-console-token';

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Host header of a loopback name: 127.x.y.z, [::1] or localhost, with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.toLowerCase().replace(/:\d+$/, '');
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export interface AccessInput {
  remoteAddress: string | undefined;
  host: string | undefined;
  cookie: string | undefined;
  header: string | undefined;
  queryToken: string | null;
  method: string;
  origin: string | undefined;
}

export type Access = { ok: true; via: 'query' | 'cookie' | 'header' } | { ok: false; status: 401 | 403; message: string };

export function checkAccess(r: AccessInput, token: string): Access {
  if (!isLoopbackAddress(r.remoteAddress))
    return { ok: false, status: 403, message: 'the aksim console answers only on loopback (127.0.0.1)' };
  if (!isLoopbackHost(r.host))
    return { ok: false, status: 403, message: `the aksim console answers only to a loopback host name, not ${r.host ?? '(none)'}` };
  if (r.method !== 'GET' && r.method !== 'HEAD') {
    // Another local page (localhost:3000 is same-site for cookies) must not drive the console.
    if (r.origin !== undefined && r.origin.replace(/^https?:\/\//, '').toLowerCase() !== r.host!.toLowerCase())
      return { ok: false, status: 403, message: `actions are accepted only from the console page, not from ${r.origin}` };
  }
  if (sameToken(r.header, token)) return { ok: true, via: 'header' };
  if (sameToken(cookieValue(r.cookie, COOKIE), token)) return { ok: true, via: 'cookie' };
  if (r.method === 'GET' && sameToken(r.queryToken ?? undefined, token)) return { ok: true, via: 'query' };
  return {
    ok: false,
    status: 401,
    message: 'the aksim console needs its token: open the URL `aksim serve` printed (it ends in ?token=...)',
  };
}
