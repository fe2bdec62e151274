// Catalog of Azure VM sizes that gives simulated nodes their capacity, plus VM family rules.

export interface VmSize {
  name: string;
  family: string;
  vcpus: number;
  memoryGiB: number;
  gpus: number;
  maxDataDisks?: number;
}

// [name, vcpus, memoryGiB, gpus, maxDataDisks] from the Azure VM size documentation.
const TABLE: [string, number, number, number, number][] = [
  ['Standard_B2s', 2, 4, 0, 4],
  ['Standard_B4ms', 4, 16, 0, 8],
  ['Standard_D2s_v3', 2, 8, 0, 4],
  ['Standard_D4s_v3', 4, 16, 0, 8],
  ['Standard_D8s_v3', 8, 32, 0, 16],
  ['Standard_D16s_v3', 16, 64, 0, 32],
  ['Standard_D2s_v5', 2, 8, 0, 4],
  ['Standard_D4s_v5', 4, 16, 0, 8],
  ['Standard_D8s_v5', 8, 32, 0, 16],
  ['Standard_D2ds_v5', 2, 8, 0, 4],
  ['Standard_D4ds_v5', 4, 16, 0, 8],
  ['Standard_DS2_v2', 2, 7, 0, 8],
  ['Standard_DS3_v2', 4, 14, 0, 16],
  ['Standard_E2s_v3', 2, 16, 0, 4],
  ['Standard_E4s_v3', 4, 32, 0, 8],
  ['Standard_E8s_v5', 8, 64, 0, 16],
  ['Standard_F2s_v2', 2, 4, 0, 4],
  ['Standard_F4s_v2', 4, 8, 0, 8],
  ['Standard_F8s_v2', 8, 16, 0, 16],
  ['Standard_NC6s_v3', 6, 112, 1, 12],
  ['Standard_NC24ads_A100_v4', 24, 220, 1, 8],
  ['Standard_NV6', 6, 56, 1, 24],
  ['Standard_ND40rs_v2', 40, 672, 8, 8],
  ['Standard_L8s_v3', 8, 64, 0, 16],
  ['Standard_M8ms', 8, 218.75, 0, 8],
];

export const VM_SIZES: readonly VmSize[] = TABLE.map(([name, vcpus, memoryGiB, gpus, maxDataDisks]) => ({
  name,
  family: vmFamily(name),
  vcpus,
  memoryGiB,
  gpus,
  maxDataDisks,
}));

const BY_NAME = new Map(VM_SIZES.map((s) => [s.name.toLowerCase(), s]));

/**
 * The VM family of a size name, by rule (works for sizes not in the table):
 * strip `Standard_`/`Basic_`, take the letters before the first digit, uppercase them, and
 * drop the trailing `S` of the legacy premium-storage names `DS`/`GS` (DS2_v2 is a D-series VM).
 * Lowercase suffix letters after the digits (s, d, a, m...) are features, not family.
 * AKS requires a pool made from a snapshot to use the same VM family as the snapshot:
 * no N-series pool from a D-series snapshot.
 */
export function vmFamily(name: string): string {
  const rest = name.replace(/^(standard|basic)_/i, '');
  const letters = (/^[A-Za-z]*/.exec(rest)?.[0] ?? '').toUpperCase();
  return letters === 'DS' || letters === 'GS' ? letters.slice(0, 1) : letters;
}

export function lookupVmSize(name: string): VmSize | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function isValidVmSizeName(name: string): boolean {
  return /^Standard_[A-Za-z][A-Za-z0-9_]*$/.test(name) && /\d/.test(name);
}

export interface VmCapacity {
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
  gpu?: string;
}

/**
 * Kubernetes capacity quantities for a VM size; unknown sizes get vCPUs from the first number in the
 * name (default 2) and 4 GiB per vCPU.
 */
export function vmCapacity(name: string): VmCapacity {
  const known = lookupVmSize(name);
  const guessed = Number(/\d+/.exec(name)?.[0] ?? 2);
  const cpus = known?.vcpus ?? (guessed > 0 ? guessed : 2);
  const memoryGiB = known?.memoryGiB ?? cpus * 4;
  const gpus = known?.gpus ?? 0;
  const cap: VmCapacity = {
    cpu: String(cpus),
    memory: `${Math.round(memoryGiB * 1024 * 1024)}Ki`,
    pods: '110',
    ephemeralStorage: '129886128Ki',
  };
  if (gpus > 0) cap.gpu = String(gpus);
  return cap;
}
