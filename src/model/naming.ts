// AKS node, VMSS and pool naming: aks-<pool>-<8 digits>-vmss<6 base-36 digits>.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 8 decimal digits, stable for the same parts: FNV-1a 32-bit over the UTF-8 of parts.join('/'), mod 10^8. */
export function poolHash(...parts: string[]): string {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(parts.join('/'))) {
    h ^= byte;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return String(h % 100_000_000).padStart(8, '0');
}

export function vmssName(pool: string, hash: string): string {
  return `aks-${pool}-${hash}-vmss`;
}

/** Node name: the VMSS name plus the instance index in lowercase base 36, zero-padded to 6. */
export function nodeName(pool: string, hash: string, index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`invalid node index ${index}`);
  return vmssName(pool, hash) + index.toString(36).padStart(6, '0');
}

/** The instance index encoded after the final `vmss` of a node name, or undefined. */
export function parseNodeIndex(name: string): number | undefined {
  const at = name.lastIndexOf('vmss');
  if (at < 0) return undefined;
  const digits = name.slice(at + 4);
  if (!/^[0-9a-z]{1,6}$/.test(digits)) return undefined;
  return parseInt(digits, 36);
}

/** The VMSS instance name as IMDS and scheduled events show it, e.g. `aks-nodepool1-12345678-vmss_0`. */
export function vmssInstanceName(pool: string, hash: string, index: number): string {
  return `${vmssName(pool, hash)}_${index}`;
}

/** AKS agent pool names: lowercase alphanumerics starting with a letter, at most 12 chars (Windows 6). */
export function isValidPoolName(name: string, osType: 'Linux' | 'Windows'): boolean {
  if (!/^[a-z][a-z0-9]{0,11}$/.test(name)) return false;
  return osType !== 'Windows' || name.length <= 6;
}
