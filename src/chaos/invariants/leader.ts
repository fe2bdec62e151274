// Invariant on leader election: an operator replica writes only while it holds the leader Lease,
// i.e. no later than its last renewal plus the lease duration. Judged from the writes the fault
// proxy forwarded (per replica) and the Lease versions the API server committed.
import type { Rec, Violation, WriteRec } from '../log.js';
import { isWrite } from '../world.js';

export const LEASE_NAME = 'aksim-operator';

interface Term {
  renew: number;
  until: number;
}

/** Lease renewals per holder, from the recorded Lease versions. */
export function leaseTerms(log: Rec[], lease = LEASE_NAME): Map<string, Term[]> {
  const terms = new Map<string, Term[]>();
  const add = (holder: string, renewTime: string, durationS: number): void => {
    const renew = Date.parse(renewTime);
    const list = terms.get(holder) ?? [];
    list.push({ renew, until: renew + durationS * 1000 });
    terms.set(holder, list);
  };
  for (const r of log) {
    // The renewals the API server committed (watch), and those the proxy saw go through: the
    // latter are complete even when the watch had to re-list after kube-apiserver restarted.
    if (r.kind === 'write' && r.lease?.name === lease) add(r.lease.holder, r.lease.renewTime, r.lease.durationS);
    if (r.kind !== 'watch' || r.res !== 'Lease' || r.type === 'DELETED' || r.obj.metadata.name !== lease) continue;
    const s = r.obj.spec ?? {};
    if (s.holderIdentity && s.renewTime) add(s.holderIdentity, s.renewTime, s.leaseDurationSeconds ?? 15);
  }
  for (const l of terms.values()) l.sort((a, b) => a.renew - b.renew);
  return terms;
}

const isLeaseWrite = (w: WriteRec): boolean => /\/leases(\/|$|\?)/.test(w.path);

/**
 * leader-only-writes: every write an operator replica got through to the API server (not one the
 * proxy refused) was sent while that replica's last renewal of the Lease had not run out.
 */
export function checkLeaderWrites(log: Rec[]): Violation[] {
  const out: Violation[] = [];
  const terms = leaseTerms(log);
  for (const w of log.filter(isWrite)) {
    if (w.injected === 'before' || w.status < 0 || isLeaseWrite(w)) continue;
    const mine = terms.get(w.replica) ?? [];
    let last: Term | undefined;
    for (const term of mine) if (term.renew <= w.t) last = term;
    if (!last)
      out.push({
        invariant: 'leader-only-writes',
        t: w.t,
        message: `replica ${w.replica} sent ${w.method} ${w.path} without ever having held the leader Lease before`,
      });
    else if (w.t > last.until)
      out.push({
        invariant: 'leader-only-writes',
        t: w.t,
        message: `replica ${w.replica} sent ${w.method} ${w.path} ${w.t - last.until} ms after its lease ran out (last renewal ${new Date(last.renew).toISOString()})`,
      });
  }
  return out;
}
