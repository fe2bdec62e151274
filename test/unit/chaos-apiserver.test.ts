// The chaos run's own plumbing: it finds the embedded cluster it may restart (by port, never a
// stopped cluster's leftover directory naming the same port) and retries transient answers.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { embeddedClusterDir } from '../../src/chaos/apiserver.js';
import { transient } from '../../src/chaos/surfaces.js';

function cluster(root: string, name: string, port: number, pid: number): string {
  const dir = join(root, 'clusters', name);
  mkdirSync(join(dir, 'pids'), { recursive: true });
  writeFileSync(
    join(dir, 'kwok.yaml'),
    `kind: Stage\n---\ncomponents:\n- name: kube-apiserver\n  binary: /bin/true\n  ports:\n  - name: https\n    port: ${port}\n`,
  );
  writeFileSync(join(dir, 'pids', 'kube-apiserver.pid'), String(pid));
  return dir;
}

describe('chaos embeddedClusterDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'aksim-kwok-'));
  const env = { KWOK_WORKDIR: root };
  // 'old' (stopped: no such process) sorts before 'run' and names the same port.
  const stale = cluster(root, 'old', 32752, 999_999_999);
  const live = cluster(root, 'run', 32752, process.pid);
  cluster(root, 'other', 40000, process.pid);

  it('takes the cluster the kubeconfig context names', () => {
    expect(embeddedClusterDir('https://127.0.0.1:32752', env, 'kwok-old')).to.equal(stale);
    expect(embeddedClusterDir('https://127.0.0.1:32752', env, 'kwok-run')).to.equal(live);
  });

  it('else the one whose kube-apiserver runs, never a stopped cluster on the same port', () => {
    expect(embeddedClusterDir('https://127.0.0.1:32752', env)).to.equal(live);
    expect(embeddedClusterDir('https://127.0.0.1:32752', env, 'some-context')).to.equal(live);
  });

  it('finds nothing for another port or a remote server', () => {
    expect(embeddedClusterDir('https://127.0.0.1:1234', env)).to.equal(undefined);
    expect(embeddedClusterDir('https://10.0.0.1:32752', env)).to.equal(undefined);
  });
});

describe('chaos surfaces: transient answers', () => {
  it('retries what a restarting kube-apiserver answers, not a refusal', () => {
    expect(transient('ERROR: the request has been made before all known HTTP paths have been installed, please try again')).to.equal(true);
    expect(transient('Unable to connect to the server: dial tcp 127.0.0.1:32752: connect: connection refused')).to.equal(true);
    expect(transient('ERROR: (InvalidParameter) count must be between 0 and 1000')).to.equal(false);
  });
});
