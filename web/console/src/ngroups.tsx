// NGroups: each NGroup's container groups as tiles per zone x fault domain, coloured by profile
// revision and marked by health; the current rolling-update batch outlined; batch progress, the
// health gates, the error when it failed, and Cancel.
import { memo } from 'preact/compat';
import type { CgRec, NGroupRec } from '../../../src/console/records.ts';
import { act } from './api.ts';
import { store, values } from './store.ts';
import { Badge, clock, OutcomeLine, Progress, useRunner } from './ui.tsx';

const HUES = [210, 140, 30, 280, 0, 180, 90, 320];
/** A colour per profile revision, in the order the NGroup's revisions sort. */
const colour = (i: number): string => `hsl(${HUES[i % HUES.length]} 60% 55%)`;
const revOf = (c: CgRec): string => `${c.profile}@${c.revision}`;

const CgTile = memo(function CgTile({ c, inBatch, bg }: { c: CgRec; inBatch: boolean; bg: string }) {
  return (
    <i
      class={`cg h-${c.health}${inBatch ? ' in-batch' : ''}`}
      style={{ background: bg }}
      data-cg={c.name}
      data-rev={revOf(c)}
      data-health={c.health}
      title={`${c.name}\n${c.profile} revision ${c.revision} · ${c.health}\nzone ${c.zone}, fault domain ${c.faultDomain}${c.batch ? `\nbatch ${c.batch}` : ''}`}
    />
  );
});

function Gates({ ng }: { ng: NGroupRec }) {
  const g = ng.gates;
  const total = Math.max(1, ng.count);
  const pct = (n: number): number => Math.round((n * 100) / total);
  return (
    <div class="gates small">
      <span title="at most this share of all CGs per batch">max batch {g.maxBatchPercent ?? '-'}%</span>
      <span
        class={g.maxUnhealthyPercent !== undefined && pct(ng.unhealthy) > g.maxUnhealthyPercent ? 'err' : ''}
        title="the update stops when more CGs than this are unhealthy"
      >
        unhealthy {pct(ng.unhealthy)}% / max {g.maxUnhealthyPercent ?? '-'}%
      </span>
      <span title="the update fails when more updated CGs than this are unhealthy">
        max unhealthy updated {g.maxUnhealthyUpdatedPercent ?? '-'}%
      </span>
      <span>pause {g.pause ?? 'PT0S'}</span>
      <span>{g.inPlace ? 'in place' : 'replace'}</span>
    </div>
  );
}

function NGroupCard({ ng, cgs }: { ng: NGroupRec; cgs: CgRec[] }) {
  const r = useRunner();
  const ru = ng.rollingUpdate;
  const b = ru?.state === 'InProgress' ? ru.batch : undefined;
  const inBatch = new Set([...(b?.members ?? []), ...(b?.replacements ?? [])]);
  const zones = [...new Set([...(ng.zones.length ? ng.zones : []), ...cgs.map((c) => c.zone)])].sort();
  if (zones.length === 0) zones.push('none');
  const fds = Array.from({ length: Math.max(1, ng.faultDomains) }, (_, i) => String(i));
  const cells = new Map<string, CgRec[]>();
  for (const c of cgs) {
    const k = `${c.zone}|${c.faultDomain}`;
    const l = cells.get(k);
    if (l) l.push(c);
    else cells.set(k, [c]);
  }
  const revisions = [...new Set(cgs.map(revOf))].sort();
  const bg = (c: CgRec): string => colour(revisions.indexOf(revOf(c)));
  const running = ru?.state === 'InProgress';
  return (
    <section
      class="ngroup"
      data-ngroup={ng.key}
      data-state={ng.state}
      data-ru-state={ru?.state ?? ''}
      data-batch-index={b?.index ?? ''}
      data-batch-fd={b?.faultDomain ?? ''}
    >
      <h3>
        {ng.ns} / {ng.name} <Badge value={ng.state} />
        <span class="muted small">
          {' '}
          {ng.mode} · {ng.profile} rev {ng.revision} · {ng.count}/{ng.desired} CGs · {ng.healthy} healthy · {ng.unhealthy} unhealthy ·{' '}
          {ng.updated} on rev {ng.revision}
        </span>
      </h3>
      {ng.stalled ? (
        <div class="warn small" data-testid="stalled">
          stalled: {ng.stalled}
        </div>
      ) : (
        ng.message && <div class="muted small">{ng.message}</div>
      )}
      {ru && (
        <div class="ru" data-testid="rolling-update">
          <span>
            rolling update #{ru.id} <Badge value={ru.state} /> {ru.inPlace ? 'in place' : 'replace'} · started {clock(ru.start)}
            {ru.end ? ` · ended ${clock(ru.end)}` : ''}
          </span>
          <Progress
            percent={ru.totalBatches ? (ru.batchesCompleted * 100) / ru.totalBatches : 0}
            label={`batch ${ru.batchesCompleted}/${ru.totalBatches}`}
            status={ru.state}
          />
          {b && (
            <span class="small" data-testid="current-batch">
              batch {b.index + 1}: {b.phase} {b.members.length} CG(s) in{' '}
              {b.faultDomain === '*' ? 'all zones (unhealthy first)' : `zone/FD ${b.faultDomain}`}
              {b.pauseUntil && b.phase === 'Pausing' ? ` until ${clock(b.pauseUntil)}` : ''}
            </span>
          )}
          <span class="small">
            succeeded {ru.succeeded} · failed {ru.failed} · pending {ru.pending}
          </span>
          {ru.error?.message && (
            <div class="err small" data-testid="ru-error">
              ({ru.error.code}) {ru.error.message}
            </div>
          )}
          {running && (
            <button
              type="button"
              class="danger"
              disabled={r.busy}
              data-testid={`cancel-${ng.name}`}
              onClick={() =>
                void r.run(`cancel requested for ${ng.name}`, () => act('ngroup-cancel', { resourceGroup: ng.ns, ngroup: ng.name }))
              }
            >
              Cancel
            </button>
          )}
          <OutcomeLine outcome={r.outcome} testid={`cancel-${ng.name}-outcome`} />
        </div>
      )}
      <Gates ng={ng} />
      <div class="revlegend small">
        {revisions.map((v, i) => (
          <span key={v}>
            <i class="cg" style={{ background: colour(i) }} /> {v.replace('@', ' rev ')}
          </span>
        ))}
        <span>
          <i class="cg h-Unhealthy" /> unhealthy
        </span>
        <span>
          <i class="cg h-Starting" /> starting
        </span>
        <span>
          <i class="cg in-batch" /> current batch
        </span>
      </div>
      <table class="cggrid">
        <thead>
          <tr>
            <th />
            {fds.map((f) => (
              <th key={f}>fault domain {f}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {zones.map((z) => (
            <tr key={z}>
              <th>{z === 'none' ? 'no zone' : `zone ${z}`}</th>
              {fds.map((f) => {
                const list = (cells.get(`${z}|${f}`) ?? []).sort((a, c) => (a.name < c.name ? -1 : 1));
                const active = b && b.faultDomain === `${z === 'none' ? '-' : z}/${f}`;
                return (
                  <td key={f} class={active ? 'cell active' : 'cell'} data-pair={`${z === 'none' ? '-' : z}/${f}`}>
                    <div class="cgs">
                      {list.map((c) => (
                        <CgTile key={c.key} c={c} inBatch={inBatch.has(c.name)} bg={bg(c)} />
                      ))}
                    </div>
                    <div class="muted small">{list.length} CGs</div>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function NGroupsView() {
  const ngroups = values('ngroup').sort((a, b) => a.key.localeCompare(b.key));
  const byGroup = new Map<string, CgRec[]>();
  for (const c of store.maps.cg.values()) {
    const k = `${c.ns}/${c.ngroup}`;
    const l = byGroup.get(k);
    if (l) l.push(c);
    else byGroup.set(k, [c]);
  }
  if (ngroups.length === 0) return <p class="muted">No NGroup yet (docs/ngroups.md shows how to make one).</p>;
  return (
    <div class="ngroups">
      {ngroups.map((g) => (
        <NGroupCard key={g.key} ng={g} cgs={byGroup.get(g.key) ?? []} />
      ))}
    </div>
  );
}
