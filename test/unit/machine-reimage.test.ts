// The reimage step deletes the old Node once, never the Node its own boot registered (seen by the
// chaos run: a machine read from a cache older than the boot's status write deleted the new Node,
// which was then made a second time).
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import type { SimMachine } from '../../src/api/generated.js';
import { reimage } from '../../controllers/machine/drains.js';
import type { MachineView } from '../../controllers/machine/view.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const reimaging = (bootId: string): SimMachine =>
  ({
    metadata: { name: 'n', namespace: 'rg' },
    spec: { clusterName: 'c', poolName: 'p', orchestratorVersion: '1.31.6' },
    status: {
      phase: 'Upgrading',
      bootId,
      orchestratorVersion: '1.30.14',
      reimageStartTime: '2025-12-31T23:59:00Z',
      conditions: [{ type: 'Upgrading', status: 'True', reason: 'Reimaging', message: '', lastTransitionTime: '2025-12-31T23:59:30Z' }],
    },
  }) as SimMachine;
const node = (bootID: string): V1Node => ({ metadata: { name: 'n' }, status: { nodeInfo: { bootID } as never } });
const view = (m: SimMachine, n: V1Node | undefined): MachineView =>
  ({
    m,
    node: n,
    nowMs: NOW,
    nowIso: new Date(NOW).toISOString(),
    timeScale: 60,
    clusterBooting: false,
    freshBootId: 'fresh',
  }) as MachineView;

describe('machine: reimage deletes the old Node, not the new one', () => {
  it('deletes the Node of the earlier boot', () => {
    const d = reimage(view(reimaging('new-boot'), node('old-boot')));
    expect('writes' in d && d.writes).to.deep.equal([{ do: 'deleteNode', name: 'n' }]);
  });

  it('waits, writing nothing, when the Node is the one the reimage booted (the cached machine is stale)', () => {
    const d = reimage(view(reimaging('new-boot'), node('new-boot')));
    expect('writes' in d && d.writes).to.deep.equal([]);
    expect('requeueAfterMs' in d && d.requeueAfterMs).to.be.greaterThan(0);
  });
});
