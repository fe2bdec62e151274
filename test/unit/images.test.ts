// Unit: the node image catalog (src/azure/images.ts): AKS-format names, weekly/monthly cadence,
// "latest" against the simulated date, explicit releases, ordering, and the shipped manifest.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import {
  compareImages,
  DEFAULT_CATALOG,
  imageDate,
  imagePrefix,
  isNewerImage,
  latestImage,
  latestPatches,
  nextReleaseAt,
  parseCatalog,
  realTimeOf,
  releases,
  simulatedNow,
} from '../../src/azure/images.js';

const at = (iso: string): number => Date.parse(iso);

describe('node image catalog', () => {
  it('names Linux images <prefix>-<YYYYMM>.<DD>.<build> and Windows <prefix>-<build>.<rev>.<YYMMDD>', () => {
    const c = DEFAULT_CATALOG;
    expect(latestImage(c, 'Ubuntu', false, at('2024-10-27T12:00:00Z'))).to.equal('AKSUbuntu-2204gen2containerd-202410.27.0');
    expect(latestImage(c, 'Ubuntu', true, at('2024-10-27T12:00:00Z'))).to.equal('AKSUbuntu-2204fipsgen2containerd-202410.27.0');
    expect(latestImage(c, 'AzureLinux', false, at('2025-02-27T00:00:00Z'))).to.equal('AKSAzureLinux-V2gen2-202502.26.0');
    expect(latestImage(c, 'Windows2022', false, at('2024-10-20T00:00:00Z'))).to.equal('AKSWindows-2022-containerd-20348.2762.241009');
    expect(latestImage(c, 'Windows2022', false, at('2025-02-20T00:00:00Z'))).to.equal('AKSWindows-2022-containerd-20348.3207.250214');
  });

  it('releases Linux weekly and Windows monthly', () => {
    const lin = releases(DEFAULT_CATALOG, 'Ubuntu', false, at('2025-01-01T00:00:00Z'));
    for (let i = 1; i < lin.length; i++) expect(lin[i]!.at - lin[i - 1]!.at).to.equal(7 * 86_400_000);
    const win = releases(DEFAULT_CATALOG, 'Windows2019', false, at('2025-03-01T00:00:00Z')).map((r) => r.name);
    expect(win).to.deep.equal([
      'AKSWindows-2019-containerd-17763.6414.241010',
      'AKSWindows-2019-containerd-17763.6525.241110',
      'AKSWindows-2019-containerd-17763.6636.241210',
      'AKSWindows-2019-containerd-17763.6747.250110',
      'AKSWindows-2019-containerd-17763.6858.250210',
    ]);
  });

  it('a newer image appears when simulated time passes or a release is added', () => {
    const c = parseCatalog({ simulatedEpoch: '2025-03-01T00:00:00Z' });
    const real0 = 1_000_000;
    const now0 = simulatedNow(c, real0, real0, 60);
    expect(latestImage(c, 'Ubuntu', false, now0)).to.equal('AKSUbuntu-2204gen2containerd-202502.23.0');
    const next = nextReleaseAt(c, 'Ubuntu', false, now0)!;
    expect(new Date(next).toISOString()).to.equal('2025-03-02T00:00:00.000Z');
    const realNext = realTimeOf(c, next, real0, 60);
    expect(realNext - real0).to.equal(86_400_000 / 60); // one simulated day at timeScale 60
    expect(latestImage(c, 'Ubuntu', false, simulatedNow(c, realNext, real0, 60))).to.equal('AKSUbuntu-2204gen2containerd-202503.02.0');
    const withRelease = parseCatalog({
      simulatedEpoch: '2025-03-01T00:00:00Z',
      'catalog.yaml': 'releases:\n  - {osSku: Ubuntu, name: AKSUbuntu-2204gen2containerd-202502.28.1}\n',
    });
    expect(latestImage(withRelease, 'Ubuntu', false, now0)).to.equal('AKSUbuntu-2204gen2containerd-202502.28.1');
  });

  it('orders images by date then build, and knows their family', () => {
    expect(isNewerImage('AKSUbuntu-2204gen2containerd-202503.02.0', 'AKSUbuntu-2204gen2containerd-202502.23.0')).to.equal(true);
    expect(isNewerImage('AKSUbuntu-2204gen2containerd-202502.23.1', 'AKSUbuntu-2204gen2containerd-202502.23.0')).to.equal(true);
    expect(compareImages('AKSWindows-2022-containerd-20348.2762.241009', 'AKSWindows-2022-containerd-20348.3207.250214')).to.be.below(0);
    expect(new Date(imageDate('AKSWindows-2022-containerd-20348.3207.250214')!).toISOString().slice(0, 10)).to.equal('2025-02-14');
    expect(imagePrefix('AKSAzureLinux-V2gen2-202502.26.0')).to.equal('AKSAzureLinux-V2gen2');
    expect(imagePrefix('AKSWindows-2022-containerd-20348.3207.250214')).to.equal('AKSWindows-2022-containerd');
  });

  it('keeps Kubernetes versions with patches as data', () => {
    const c = parseCatalog({ 'catalog.yaml': 'kubernetesVersions:\n  "1.33": [1.33.0, 1.33.10, 1.33.5]\n' });
    expect(latestPatches(c)).to.deep.equal({ '1.33': '1.33.10' });
  });

  it('the shipped ConfigMap holds the built-in defaults', () => {
    const cm = parse(readFileSync(new URL('../../manifests/catalog/node-images.yaml', import.meta.url), 'utf8')) as {
      metadata: { name: string; namespace: string };
      data: Record<string, string>;
    };
    expect(cm.metadata).to.include({ name: 'aksim-node-images', namespace: 'aksim-system' });
    expect(parseCatalog(cm.data)).to.deep.equal({ ...DEFAULT_CATALOG, realEpoch: undefined });
  });

  it('refuses a malformed catalog', () => {
    expect(() => parseCatalog({ simulatedEpoch: 'someday' })).to.throw(/simulatedEpoch/);
    expect(() =>
      parseCatalog({ 'catalog.yaml': 'series:\n  - {osSku: Ubuntu, prefix: X, first: "2024-01-01", every: weekly}\n' }),
    ).to.throw(/bad series/);
  });
});
