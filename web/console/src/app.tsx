// The console's shell: a header with the live-connection state, the cluster picker and the
// NGroups view; the route is the URL hash (#/cluster/<rg>/<name>, #/ngroups).
import { useEffect, useState } from 'preact/hooks';
import { ClusterView } from './cluster.tsx';
import { NGroupsView } from './ngroups.tsx';
import { useStore, values } from './store.ts';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const fn = (): void => setHash(location.hash);
    addEventListener('hashchange', fn);
    return () => removeEventListener('hashchange', fn);
  }, []);
  return hash;
}

export function App() {
  const s = useStore();
  const hash = useHash();
  const clusters = values('cluster').sort((a, b) => a.key.localeCompare(b.key));
  const parts = hash.replace(/^#\/?/, '').split('/');
  const ngroupsView = parts[0] === 'ngroups';
  const wanted = parts[0] === 'cluster' ? `${parts[1]}/${parts[2]}` : undefined;
  const cluster = clusters.find((c) => c.key === wanted) ?? clusters[0];
  const ngroupCount = s.maps.ngroup.size;
  return (
    <div class="shell">
      <header>
        <h1>aksim console</h1>
        <nav>
          <label>
            Cluster{' '}
            <select
              data-testid="cluster-picker"
              value={ngroupsView ? '' : (cluster?.key ?? '')}
              onChange={(e) => (location.hash = `#/cluster/${(e.target as HTMLSelectElement).value}`)}
            >
              {ngroupsView && <option value="">(choose)</option>}
              {clusters.map((c) => (
                <option value={c.key} key={c.key}>
                  {c.ns} / {c.name}
                </option>
              ))}
            </select>
          </label>
          <a href="#/ngroups" class={ngroupsView ? 'active' : ''} data-testid="ngroups-link">
            NGroups ({ngroupCount})
          </a>
        </nav>
        <span class={`conn ${s.connected ? 'on' : 'off'}`} data-testid="connection" title="live updates from the API server's watches">
          {s.connected ? 'live' : s.loaded ? 'reconnecting…' : 'connecting…'}
        </span>
      </header>
      <main>
        {!s.loaded ? (
          <p class="muted">Loading…</p>
        ) : ngroupsView ? (
          <NGroupsView />
        ) : cluster ? (
          <ClusterView cluster={cluster} />
        ) : (
          <p class="muted">No SimCluster yet. Create one (for example `make demo`, or `aksim aks create`) and it shows here.</p>
        )}
      </main>
    </div>
  );
}
