// The page's copy of the console records: one snapshot from the server, then deltas, over one
// EventSource (it reconnects by itself and the server then sends a fresh snapshot). Views are
// told at most once per animation frame, however many deltas arrive.
import { useEffect, useState } from 'preact/hooks';
import { RECORD_KINDS, type Delta, type RecordKind, type Records, type Snapshot } from '../../../src/console/records.ts';

export type Maps = { [K in RecordKind]: Map<string, Records[K]> };

const empty = (): Maps => Object.fromEntries(RECORD_KINDS.map((k) => [k, new Map()])) as unknown as Maps;

export const store = {
  maps: empty(),
  meta: { faultTypes: [] as string[], eventTypes: [] as string[] },
  connected: false,
  loaded: false,
  /** server clock minus page clock (ms), for countdowns. */
  skewMs: 0,
  version: 0,
};

const listeners = new Set<() => void>();
let frame = 0;

function changed(): void {
  store.version++;
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    for (const fn of listeners) fn();
  });
}

export function connect(): void {
  const es = new EventSource('/console/api/stream');
  es.addEventListener('snapshot', (ev) => {
    const snap = JSON.parse((ev as MessageEvent<string>).data) as Snapshot;
    const maps = empty();
    for (const k of RECORD_KINDS) for (const r of snap.records[k] as { key: string }[]) (maps[k] as Map<string, unknown>).set(r.key, r);
    store.maps = maps;
    if (snap.meta) store.meta = snap.meta;
    store.skewMs = snap.serverTime - Date.now();
    store.loaded = true;
    store.connected = true;
    performance.mark('aksim:snapshot');
    changed();
  });
  es.addEventListener('delta', (ev) => {
    for (const d of JSON.parse((ev as MessageEvent<string>).data) as Delta[]) {
      const m = store.maps[d.t] as Map<string, unknown>;
      if (d.v === null) m.delete(d.k);
      else m.set(d.k, d.v);
    }
    changed();
  });
  es.onopen = () => {
    store.connected = true;
    changed();
  };
  es.onerror = () => {
    store.connected = false;
    changed();
  };
}

/** Re-renders the calling component when the records change. */
export function useStore(): typeof store {
  const [, setV] = useState(0);
  useEffect(() => {
    const fn = (): void => setV(store.version);
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, []);
  return store;
}

export function values<K extends RecordKind>(k: K): Records[K][] {
  return [...store.maps[k].values()];
}
