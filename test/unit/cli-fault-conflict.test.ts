// `aksim sim fault inject|clear` survive the operator writing the VM between their read and their
// write (found by the chaos run): a 409 makes them read again and retry, other errors do not.
import { expect } from 'chai';
import type { SimMachine } from '../../src/api/generated.js';
import { clearFault, injectFault } from '../../src/cli/sim.js';
import { KubeError, type KubeApi } from '../../src/runtime/kube-api.js';

/** A VM the operator changes once (a new resourceVersion) right after the first read. */
function fakeKube(conflicts: number, error?: KubeError): { kube: KubeApi; patches: unknown[] } {
  let rv = 1;
  let faults: NonNullable<SimMachine['spec']['faults']> = [{ type: 'DiskCorruption' as never, since: '2026-01-01T00:00:00Z' }];
  const patches: unknown[] = [];
  const kube = {
    async get() {
      return { metadata: { name: 'vm0', namespace: 'rg', resourceVersion: String(rv) }, spec: { faults } };
    },
    async patch(
      _kind: string,
      _ns: string,
      _name: string,
      body: { metadata: { resourceVersion: string }; spec: { faults: typeof faults } },
    ) {
      patches.push(body);
      if (error) throw error;
      if (conflicts > 0) {
        conflicts--;
        rv++;
        throw new KubeError(409, {}, 'Operation cannot be fulfilled on simmachines.aksim.io "vm0": the object has been modified');
      }
      expect(body.metadata.resourceVersion).to.equal(String(rv));
      faults = body.spec.faults;
      rv++;
      return { metadata: { name: 'vm0', namespace: 'rg', resourceVersion: String(rv) }, spec: { faults } };
    },
  } as unknown as KubeApi;
  return { kube, patches };
}

describe('aksim sim fault: conflicts with the operator', () => {
  it('inject reads again and writes at the new version after a 409', async () => {
    const { kube, patches } = fakeKube(2);
    const m = await injectFault(kube, 'vm0', 'ContainerRuntimeDown', 'rg');
    expect(patches).to.have.length(3);
    expect((m.spec.faults ?? []).map((f) => f.type)).to.deep.equal(['DiskCorruption', 'ContainerRuntimeDown']);
  });

  it('clear does the same', async () => {
    const { kube, patches } = fakeKube(1);
    const m = await clearFault(kube, 'vm0', 'all', 'rg');
    expect(patches).to.have.length(2);
    expect(m.spec.faults).to.deep.equal([]);
  });

  it('gives up after five conflicts, and at once on any other error', async () => {
    const busy = fakeKube(10);
    const e1 = await injectFault(busy.kube, 'vm0', 'ContainerRuntimeDown', 'rg').catch((e: unknown) => e);
    expect((e1 as KubeError).code).to.equal(409);
    expect(busy.patches).to.have.length(5);
    const refused = fakeKube(0, new KubeError(422, {}, 'invalid'));
    const e2 = await injectFault(refused.kube, 'vm0', 'ContainerRuntimeDown', 'rg').catch((e: unknown) => e);
    expect((e2 as KubeError).code).to.equal(422);
    expect(refused.patches).to.have.length(1);
  });
});
