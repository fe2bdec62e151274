// Carries out one scheduled fault against the running system and says when it was over (the
// moment convergence is measured from): killed replicas started again, kube-apiserver answering,
// the error burst ended, or at once (watch cut, clock jump).
import type { KubeConfig } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import { restartApiserver } from './apiserver.js';
import type { FaultProxy } from './proxy.js';
import type { Replicas } from './replicas.js';
import type { Fault } from './schedule.js';
import { wallNow, realSleep } from '../runtime/clock.js';

export interface FaultEnv {
  replicas: Replicas;
  proxy: FaultProxy;
  kc: KubeConfig;
  timeScale: number;
  /** The kwokctl cluster directory, when kube-apiserver can be restarted. */
  clusterDir?: string;
  /** Identity holding the leader Lease now (from the recorded world). */
  leader(): string | undefined;
  /** Adds realMs to the clock offset later replicas start with. */
  addClockOffset(realMs: number): void;
}

export interface FaultOutcome {
  /** Real ms when the fault was over. */
  endedAt: number;
  detail: string;
  /** Why it could not be carried out here (then it does not count as injected). */
  skipped?: string;
}

export async function apiserverReady(kc: KubeConfig): Promise<boolean> {
  try {
    const init = await kc.applyToFetchOptions({});
    const res = await fetch(`${kc.getCurrentCluster()!.server}/readyz`, { ...(init as object), timeout: 2000 } as never);
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function inject(f: Fault, env: FaultEnv): Promise<FaultOutcome> {
  switch (f.kind) {
    case 'operator-kill': {
      const slots = env.replicas.slots.map((s) => s.name);
      await Promise.all(slots.map((name, i) => env.replicas.kill(name, f.restartAfterMs[i] ?? 0)));
      const wait = Math.max(...slots.map((_n, i) => f.restartAfterMs[i] ?? 0));
      await realSleep(wait);
      return {
        endedAt: wallNow(),
        detail: `killed ${slots.join(' and ')}; restarted after ${slots.map((_n, i) => f.restartAfterMs[i]).join(' / ')} ms`,
      };
    }
    case 'leader-kill': {
      // After an operator kill or a kube-apiserver restart no replica may lead yet: the dead
      // holder's lease must run out, the replicas start (about 3 s on a loaded machine) and try again.
      let slot = env.replicas.slotOf(env.leader());
      for (let i = 0; i < 300 && !slot; i++) {
        await realSleep(100);
        slot = env.replicas.slotOf(env.leader());
      }
      if (!slot) return { endedAt: wallNow(), detail: '', skipped: 'no replica held the lease' };
      const after = f.restartAfterMs[0] ?? 0;
      await env.replicas.kill(slot.name, after);
      await realSleep(after);
      return { endedAt: wallNow(), detail: `killed leader ${slot.name}; restarted after ${after} ms` };
    }
    case 'apiserver-restart': {
      if (!env.clusterDir)
        return { endedAt: wallNow(), detail: '', skipped: 'not an embedded kwokctl cluster: kube-apiserver cannot be restarted' };
      const start = wallNow();
      const pid = await restartApiserver(env.clusterDir);
      while (!(await apiserverReady(env.kc))) {
        if (wallNow() - start > 120_000) throw new Error('kube-apiserver did not come back within 120 s');
        await realSleep(200);
      }
      return { endedAt: wallNow(), detail: `kube-apiserver restarted (pid ${pid}), ready after ${wallNow() - start} ms` };
    }
    case 'watch-cut': {
      const n = env.proxy.cutWatches();
      return { endedAt: wallNow(), detail: `${n} watch connections cut` };
    }
    case 'write-errors': {
      env.proxy.startBurst(f.burstRate, f.burstMs);
      await realSleep(f.burstMs);
      return { endedAt: wallNow(), detail: `${Math.round(f.burstRate * 100)}% of writes failed for ${f.burstMs} ms` };
    }
    case 'clock-jump': {
      const realMs = f.jumpSimMs / env.timeScale;
      env.addClockOffset(realMs);
      const n = await env.replicas.jumpClocks(realMs);
      return { endedAt: wallNow(), detail: `clock +${f.jumpSimMs / 60_000} simulated min on ${n} replicas` };
    }
  }
}
