// Node pool snapshots as the controllers read them: whether one has captured its source pool, and
// what it captured. The capture and fit rules themselves are in src/azure/images-snapshots.ts.
import type { NodePoolSnapshot } from '../api/generated.js';
import type { SnapshotInfo } from '../azure/images-snapshots.js';

export const isCaptured = (s: NodePoolSnapshot | undefined): boolean =>
  Boolean(s?.status?.nodeImageVersion && s.status.kubernetesVersion && s.status.provisioningState === 'Succeeded');

/** What a captured snapshot holds; fields a capture always writes default to ''. */
export function capturedInfo(s: NodePoolSnapshot): SnapshotInfo {
  const st = s.status ?? {};
  return {
    kubernetesVersion: st.kubernetesVersion ?? '',
    nodeImageVersion: st.nodeImageVersion ?? '',
    osType: st.osType ?? 'Linux',
    osSku: st.osSku ?? 'Ubuntu',
    vmSize: st.vmSize ?? '',
    enableFIPS: st.enableFIPS ?? false,
    location: st.location ?? '',
  };
}
