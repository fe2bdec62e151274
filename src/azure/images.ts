// The node image catalog: which AKS node images exist per OS SKU and when each was released, and
// which Kubernetes versions (with patches) are offered. Pure: the data comes from the ConfigMap
// aksim-system/aksim-node-images (manifests/catalog/node-images.yaml) or the defaults below, and
// "now" is the simulated date the caller passes (see simulatedNow).
import { parse as parseYaml } from 'yaml';

/** One generated release train: an image every `every` from `first`, named as AKS names them. */
export interface ImageSeries {
  osSku: string;
  /** Name prefix, e.g. AKSUbuntu-2204gen2containerd. */
  prefix: string;
  /** Prefix of the FIPS-enabled variant (same dates); absent: FIPS pools use `prefix`. */
  fipsPrefix?: string;
  /** First release date, YYYY-MM-DD (UTC). */
  first: string;
  /** Cadence: 'P7D' (weekly, Linux) or 'P1M' (monthly, Windows); any PnD or PnM. */
  every: string;
  /** Windows only: OS build and the first release's revision; names are <build>.<revision>.<YYMMDD>. */
  build?: number;
  firstRevision?: number;
  /** Windows: revision increment per release (default 111). */
  revisionStep?: number;
}

export interface ExplicitRelease {
  osSku: string;
  name: string;
  /** Release date (ISO); default: the date in the name. */
  date?: string;
  fips?: boolean;
}

export interface CatalogData {
  /** Simulated date at realEpoch, ISO 8601. */
  simulatedEpoch: string;
  /** Real time the simulated epoch refers to (ISO); default: the ConfigMap's creation (or operator start). */
  realEpoch?: string;
  series: ImageSeries[];
  releases: ExplicitRelease[];
  /** Minor -> supported patch versions, e.g. {'1.33': ['1.33.0', '1.33.5']}. */
  kubernetesVersions: Record<string, string[]>;
}

export interface Release {
  osSku: string;
  name: string;
  fips: boolean;
  /** Release time, ms since epoch (simulated calendar). */
  at: number;
}

export const CATALOG_CONFIGMAP = 'aksim-node-images';

export const DEFAULT_CATALOG: CatalogData = {
  simulatedEpoch: '2025-03-01T00:00:00Z',
  series: [
    {
      osSku: 'Ubuntu',
      prefix: 'AKSUbuntu-2204gen2containerd',
      fipsPrefix: 'AKSUbuntu-2204fipsgen2containerd',
      first: '2024-10-27',
      every: 'P7D',
    },
    { osSku: 'AzureLinux', prefix: 'AKSAzureLinux-V2gen2', fipsPrefix: 'AKSAzureLinux-V2fipsgen2', first: '2024-10-27', every: 'P7D' },
    {
      osSku: 'Windows2022',
      prefix: 'AKSWindows-2022-containerd',
      first: '2024-10-09',
      every: 'P1M',
      build: 20348,
      firstRevision: 2762,
      revisionStep: 111,
    },
    {
      osSku: 'Windows2019',
      prefix: 'AKSWindows-2019-containerd',
      first: '2024-10-10',
      every: 'P1M',
      build: 17763,
      firstRevision: 6414,
      revisionStep: 111,
    },
  ],
  releases: [
    { osSku: 'AzureLinux', name: 'AKSAzureLinux-V2gen2-202502.26.0' },
    { osSku: 'Windows2022', name: 'AKSWindows-2022-containerd-20348.3207.250214' },
  ],
  kubernetesVersions: {
    '1.30': ['1.30.10', '1.30.14'],
    '1.31': ['1.31.6', '1.31.13'],
    '1.32': ['1.32.2', '1.32.9'],
    '1.33': ['1.33.0', '1.33.5'],
    '1.34': ['1.34.0', '1.34.4'],
    '1.35': ['1.35.0', '1.35.1'],
  },
};

const DAY = 86_400_000;

/**
 * Parses the ConfigMap data (keys catalog.yaml, simulatedEpoch, realEpoch); missing parts fall back to
 * the defaults. Throws on malformed YAML.
 */
export function parseCatalog(data: Record<string, string> | undefined): CatalogData {
  const base = DEFAULT_CATALOG;
  const doc = data?.['catalog.yaml'] ? (parseYaml(data['catalog.yaml']) as Partial<CatalogData> | null) : null;
  const out: CatalogData = {
    simulatedEpoch: data?.simulatedEpoch ?? doc?.simulatedEpoch ?? base.simulatedEpoch,
    realEpoch: data?.realEpoch ?? doc?.realEpoch,
    series: doc?.series ?? base.series,
    releases: doc?.releases ?? base.releases,
    kubernetesVersions: doc?.kubernetesVersions ?? base.kubernetesVersions,
  };
  if (Number.isNaN(Date.parse(out.simulatedEpoch)))
    throw new Error(`node image catalog: simulatedEpoch ${JSON.stringify(out.simulatedEpoch)} is not a date`);
  for (const s of out.series) {
    if (!s.osSku || !s.prefix || Number.isNaN(Date.parse(s.first)) || !/^P\d+[DM]$/.test(s.every))
      throw new Error(`node image catalog: bad series ${JSON.stringify(s)}`);
  }
  return out;
}

/** Simulated now: the epoch plus the scaled real time elapsed since realEpoch. */
export function simulatedNow(c: CatalogData, realNowMs: number, realEpochMs: number, timeScale: number): number {
  const real = c.realEpoch ? Date.parse(c.realEpoch) : realEpochMs;
  return Date.parse(c.simulatedEpoch) + Math.max(0, realNowMs - real) * timeScale;
}

/** Real ms at which the simulated calendar reaches simMs (inverse of simulatedNow). */
export function realTimeOf(c: CatalogData, simMs: number, realEpochMs: number, timeScale: number): number {
  const real = c.realEpoch ? Date.parse(c.realEpoch) : realEpochMs;
  return real + (simMs - Date.parse(c.simulatedEpoch)) / timeScale;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Linux: <prefix>-<YYYYMM>.<DD>.<build>; Windows: <prefix>-<build>.<revision>.<YYMMDD>. */
export function imageName(s: ImageSeries, at: number, n: number, fips = false): string {
  const d = new Date(at);
  const prefix = fips && s.fipsPrefix ? s.fipsPrefix : s.prefix;
  if (s.build !== undefined) {
    const rev = (s.firstRevision ?? 1) + n * (s.revisionStep ?? 111);
    return `${prefix}-${s.build}.${rev}.${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  }
  return `${prefix}-${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}.0`;
}

function nthDate(s: ImageSeries, n: number): number {
  const first = Date.parse(`${s.first.slice(0, 10)}T00:00:00Z`);
  const m = /^P(\d+)([DM])$/.exec(s.every)!;
  const k = Number(m[1]);
  if (m[2] === 'D') return first + n * k * DAY;
  const d = new Date(first);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n * k, d.getUTCDate());
}

/** Release time encoded in an AKS image name (Linux YYYYMM.DD.build, Windows build.rev.YYMMDD), or undefined. */
export function imageDate(name: string): number | undefined {
  const lin = /-(\d{4})(\d{2})\.(\d{2})\.(\d+)$/.exec(name);
  if (lin) return Date.UTC(Number(lin[1]), Number(lin[2]) - 1, Number(lin[3]));
  const win = /-(\d+)\.(\d+)\.(\d{2})(\d{2})(\d{2})$/.exec(name);
  if (win) return Date.UTC(2000 + Number(win[3]), Number(win[4]) - 1, Number(win[5]));
  return undefined;
}

/** Orders two image names of one OS SKU: by release date, then build/revision number. */
export function compareImages(a: string, b: string): number {
  const da = imageDate(a) ?? 0;
  const db = imageDate(b) ?? 0;
  if (da !== db) return da - db;
  const ka = imageBuild(a);
  const kb = imageBuild(b);
  return ka !== kb ? ka - kb : a.localeCompare(b);
}

function imageBuild(name: string): number {
  const lin = /-\d{6}\.\d{2}\.(\d+)$/.exec(name);
  if (lin) return Number(lin[1]);
  const win = /-\d+\.(\d+)\.\d{6}$/.exec(name);
  return win ? Number(win[1]) : 0;
}

export const isNewerImage = (a: string, b: string): boolean => compareImages(a, b) > 0;

/** The image family (name without the date part): AKSUbuntu-2204gen2containerd. */
export function imagePrefix(name: string): string {
  return name.replace(/-(\d{6}\.\d{2}\.\d+|\d+\.\d+\.\d{6})$/, '');
}

/** Every release of one OS SKU (and FIPS variant) up to simMs, oldest first. */
export function releases(c: CatalogData, osSku: string, fips: boolean, simMs: number): Release[] {
  const out: Release[] = [];
  for (const s of c.series.filter((x) => x.osSku === osSku)) {
    for (let n = 0; n < 10_000; n++) {
      const at = nthDate(s, n);
      if (at > simMs) break;
      out.push({ osSku, name: imageName(s, at, n, fips), fips, at });
    }
  }
  for (const r of c.releases) {
    if (r.osSku !== osSku || Boolean(r.fips) !== fips) continue;
    const at = r.date ? Date.parse(r.date) : imageDate(r.name);
    if (at === undefined || Number.isNaN(at) || at > simMs) continue;
    if (!out.some((x) => x.name === r.name)) out.push({ osSku, name: r.name, fips, at });
  }
  return out.sort((a, b) => a.at - b.at || compareImages(a.name, b.name));
}

/** The newest image of an OS SKU released by simMs; undefined when none is. */
export function latestImage(c: CatalogData, osSku: string, fips: boolean, simMs: number): string | undefined {
  return releases(c, osSku, fips, simMs).at(-1)?.name;
}

/** Simulated time of the next release of an OS SKU after simMs (for a timer), or undefined. */
export function nextReleaseAt(c: CatalogData, osSku: string, fips: boolean, simMs: number): number | undefined {
  let next: number | undefined;
  for (const s of c.series.filter((x) => x.osSku === osSku)) {
    for (let n = 0; n < 10_000; n++) {
      const at = nthDate(s, n);
      if (at > simMs) {
        next = next === undefined ? at : Math.min(next, at);
        break;
      }
    }
  }
  for (const r of c.releases) {
    if (r.osSku !== osSku || Boolean(r.fips) !== fips) continue;
    const at = r.date ? Date.parse(r.date) : imageDate(r.name);
    if (at !== undefined && at > simMs) next = next === undefined ? at : Math.min(next, at);
  }
  return next;
}

/** Minor -> latest patch, from the catalog's Kubernetes versions. */
export function latestPatches(c: CatalogData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [minor, patches] of Object.entries(c.kubernetesVersions)) {
    const sorted = [...patches].map(String).sort((a, b) => Number(a.split('.')[2] ?? 0) - Number(b.split('.')[2] ?? 0));
    const last = sorted.at(-1);
    if (last) out[minor] = last;
  }
  return out;
}
