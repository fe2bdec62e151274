// Leader election on a coordination.k8s.io Lease, so only one operator process acts at a time.
// Renewal runs on real time (it guards real processes), one renewal at a time; leadership is
// lost only when no renewal has succeeded for a whole lease duration.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { Kube } from './client.js';
import { isConflict, isNotFound } from './client.js';
import { realSleep, wallNow } from './clock.js';
import type { Logger } from './logger.js';

export interface LeaderOptions {
  kube: Kube;
  namespace: string;
  name: string;
  identity: string;
  leaseSeconds?: number;
  renewSeconds?: number;
  /** Annotations the holder keeps on the Lease (e.g. the timeScale it runs at, read by `aksim serve`). */
  annotations?: Record<string, string>;
  log: Logger;
}

type Attempt = 'held' | 'taken' | 'conflict';

/**
 * Until when a holder may still act on a lease it renewed at renewedAt (the renewTime it wrote):
 * the lease runs out at renewedAt + leaseMs for everyone else, so its own writes stop a third of
 * the lease before that (client-go's renew deadline is 10 s of a 15 s lease): a write queued for a
 * connection on a loaded machine must not land after a successor took over (the chaos run saw one
 * land 640 ms after passing a 600 ms margin).
 */
export function actUntil(renewedAt: number, leaseMs: number): number {
  return renewedAt + leaseMs - leaseMs / 3;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  /** renewTime of the last renewal that held, as written into the Lease. */
  private renewedAt = 0;

  constructor(private readonly o: LeaderOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Why this process must not write now, or undefined when it may: it leads and its last renewal
   * has not run out. The Kube client asks before every write (src/runtime/client.ts), so a leader
   * whose renewals fail stops acting before its lease can pass to another replica.
   */
  fence(now = wallNow()): string | undefined {
    if (!this.leading) return 'this replica does not hold the leader lease';
    const until = actUntil(this.renewedAt, (this.o.leaseSeconds ?? 15) * 1000);
    return now < until ? undefined : `the leader lease was last renewed ${now - this.renewedAt} ms ago; no writes until it is renewed`;
  }

  /** Resolves once this process leads; calls onLost if it later loses the lease. */
  async acquire(onLost: () => void): Promise<void> {
    const period = (this.o.renewSeconds ?? 2) * 1000;
    for (;;) {
      if (this.stopped) throw new Error('leader election stopped');
      const a = await this.attempt().catch((err: unknown) => {
        this.o.log.warn({ err }, 'Leader election attempt failed');
        return 'taken' as Attempt;
      });
      if (a === 'held') break;
      await realSleep(period);
    }
    this.leading = true;
    this.lastRenew = wallNow();
    this.o.log.info({ lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity }, 'Became leader');
    void this.renewLoop(period, onLost);
  }

  private async renewLoop(period: number, onLost: () => void): Promise<void> {
    const leaseMs = (this.o.leaseSeconds ?? 15) * 1000;
    while (!this.stopped && this.leading) {
      await realSleep(period);
      if (this.stopped) return;
      let a: Attempt;
      try {
        a = await this.attempt();
      } catch (err: unknown) {
        this.o.log.warn({ err }, 'Lease renewal failed');
        a = 'conflict';
      }
      if (a === 'held') {
        this.lastRenew = wallNow();
        continue;
      }
      // Someone else holds it, or renewals kept failing for a whole lease: step down.
      if (a === 'taken' || wallNow() - this.lastRenew > leaseMs) {
        this.leading = false;
        this.o.log.error({ identity: this.o.identity, attempt: a }, 'Lost the leader lease');
        onLost();
        return;
      }
    }
  }

  /** Gives the lease up so a successor does not wait for it to expire. */
  async release(): Promise<void> {
    this.stopped = true;
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

  /** One read-modify-write of the Lease: held (we hold it now), taken (another live holder), conflict (retry). */
  private async attempt(): Promise<Attempt> {
    const { kube, namespace, name, identity } = this.o;
    const leaseSeconds = this.o.leaseSeconds ?? 15;
    const now = new V1MicroTime(wallNow());
    let lease: V1Lease;
    try {
      lease = await kube.coordination.readNamespacedLease({ name, namespace });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
      try {
        await kube.coordination.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace, annotations: this.o.annotations },
            spec: { holderIdentity: identity, leaseDurationSeconds: leaseSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        });
        this.renewedAt = now.getTime();
        return 'held';
      } catch (e: unknown) {
        if (isConflict(e)) return 'conflict';
        throw e;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? leaseSeconds) * 1000 < wallNow();
    if (holder && holder !== identity && !expired) return 'taken';
    if (this.o.annotations) lease.metadata = { ...lease.metadata, annotations: { ...lease.metadata?.annotations, ...this.o.annotations } };
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: leaseSeconds,
      renewTime: now,
      acquireTime: holder === identity ? spec.acquireTime : now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1),
    };
    try {
      await kube.coordination.replaceNamespacedLease({ name, namespace, body: lease });
      this.renewedAt = now.getTime();
      return 'held';
    } catch (err: unknown) {
      if (isConflict(err)) return 'conflict';
      throw err;
    }
  }
}
