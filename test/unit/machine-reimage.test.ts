// The reimage step deletes the old Node once, never the Node its own boot registered (seen by the
// chaos run: a machine read from a cache older than the boot's status write deleted the new Node,
// which was then made a second time), and ends the reimage when that Node is there (seen by the
// next run: the boot's status write after its Node create got a 500, and the machine then waited
// for a cache that would never show it; the pool's upgrade never ended).
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import type { SimMachine } from '../../src/api/generated.js';
import { reimage } from '../../controllers/machine/drains.js';
import { needsReimage, type MachineView } from '../../controllers/machine/view.js';
import type { Write } from '../../controllers/shared/plan.js';

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

  it('records the end of the reimage when the Node is the one the reimage booted, never deleting it', () => {
    // boot() made the Node, then its status write was lost (an error after the create) or the
    // cache does not show it yet: either way the Node stays and the end is written (again).
    const d = reimage(view(reimaging('new-boot'), node('new-boot')));
    expect('writes' in d && d.writes).to.have.length(1);
    const w = ('writes' in d && d.writes[0]) as Extract<Write, { do: 'status' }>;
    expect(w).to.include({ do: 'status', kind: 'SimMachine' });
    expect(w.status).to.deep.include({ orchestratorVersion: '1.31.6', reimageStartTime: undefined });
    expect((w.status as { conditions: { type: string }[] }).conditions.map((c) => c.type)).to.not.include('Upgrading');
  });

  it('the machine with that end recorded no longer reimages: it goes on to record the Node (no livelock)', () => {
    const m = reimaging('new-boot');
    const w = (reimage(view(m, node('new-boot'))) as { writes: Extract<Write, { do: 'status' }>[] }).writes[0]!;
    const after = { ...m, status: { ...m.status, ...w.status } } as SimMachine;
    expect(needsReimage(after)).to.equal(false);
  });
});
