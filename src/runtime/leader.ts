// Leader election on a coordination.k8s.io Lease, so only one operator process acts at a time.
// Renewal uses real time (it guards real processes); losing the lease stops the process.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { Kube } from './client.js';
import { isConflict, isNotFound } from './client.js';
import type { Logger } from './logger.js';

export interface LeaderOptions {
  kube: Kube;
  namespace: string;
  name: string;
  identity: string;
  leaseSeconds?: number;
  renewSeconds?: number;
  log: Logger;
}

export class LeaderElector {
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = false;

  constructor(private readonly o: LeaderOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Resolves once this process leads; calls onLost if it later loses the lease. */
  async acquire(onLost: () => void): Promise<void> {
    const retry = (this.o.renewSeconds ?? 2) * 1000;
    for (;;) {
      if (this.stopped) throw new Error('leader election stopped');
      if (await this.tryAcquireOrRenew()) break;
      await new Promise((r) => setTimeout(r, retry));
    }
    this.leading = true;
    this.o.log.info({ lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity }, 'Became leader');
    this.timer = setInterval(() => {
      this.tryAcquireOrRenew().then(
        (ok) => {
          if (!ok && this.leading) {
            this.leading = false;
            this.o.log.error({ identity: this.o.identity }, 'Lost the leader lease');
            onLost();
          }
        },
        (err: unknown) => this.o.log.warn({ err }, 'Lease renewal failed'),
      );
    }, retry);
  }

  /** Gives the lease up so a successor does not wait for it to expire. */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.o.kube.coordination.readNamespacedLease({ name: this.o.name, namespace: this.o.namespace });
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      lease.spec.holderIdentity = undefined;
      lease.spec.leaseDurationSeconds = 1;
      await this.o.kube.coordination.replaceNamespacedLease({ name: this.o.name, namespace: this.o.namespace, body: lease });
    } catch (err: unknown) {
      this.o.log.warn({ err }, 'Could not release the leader lease');
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { kube, namespace, name, identity } = this.o;
    const leaseSeconds = this.o.leaseSeconds ?? 15;
    const now = new V1MicroTime(Date.now());
    let lease: V1Lease;
    try {
      lease = await kube.coordination.readNamespacedLease({ name, namespace });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
      try {
        await kube.coordination.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: leaseSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
        });
        return true;
      } catch (e: unknown) {
        if (isConflict(e)) return false;
        throw e;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? leaseSeconds) * 1000 < Date.now();
    if (holder && holder !== identity && !expired) return false;
    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: leaseSeconds,
      renewTime: now,
      acquireTime: holder === identity ? spec.acquireTime : now,
      leaseTransitions: transitions,
    };
    try {
      await kube.coordination.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch (err: unknown) {
      if (isConflict(err)) return false;
      throw err;
    }
  }
}
