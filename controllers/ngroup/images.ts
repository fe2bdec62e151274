// Pure: the simulated image registry, a ConfigMap `aksim-registry` (in the NGroup's namespace,
// else in the operator's system namespace) with two optional keys:
//   unhealthy: image references (one per line or comma separated) whose CGs run but never turn Ready
//   latest:    lines `repository=image` saying what `repository` / `repository:latest` resolves to
// e.g. latest: "nginx=nginx:1.27.3". Users change it at run time; CGs made afterwards see it.

export const REGISTRY_CONFIGMAP = 'aksim-registry';

export interface Registry {
  unhealthy: Set<string>;
  latest: Map<string, string>;
}

export const EMPTY_REGISTRY: Registry = { unhealthy: new Set(), latest: new Map() };

const items = (s: string | undefined): string[] =>
  (s ?? '')
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter((x) => x && !x.startsWith('#'));

export function parseRegistry(data: Record<string, string> | undefined): Registry {
  const latest = new Map<string, string>();
  for (const line of items(data?.latest)) {
    const i = line.indexOf('=');
    if (i > 0) latest.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return { unhealthy: new Set(items(data?.unhealthy)), latest };
}

/** Splits `repo[:tag][@digest]`; the tag is what follows the last ':' after the last '/'. */
export function splitImage(image: string): { repository: string; tag: string | undefined; digest: string | undefined } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest };
  return { repository: name, tag: undefined, digest };
}

/** `latest` (or no tag, no digest) resolved through the registry; other references unchanged. */
export function resolveImage(image: string, reg: Registry): string {
  const { repository, tag, digest } = splitImage(image);
  if (digest || (tag !== undefined && tag !== 'latest')) return image;
  return reg.latest.get(repository) ?? reg.latest.get(`${repository}:latest`) ?? image;
}

/** Whether a CG running this image (as written or as resolved) comes up unhealthy. */
export function isUnhealthyImage(image: string, resolved: string, reg: Registry): boolean {
  return reg.unhealthy.has(image) || reg.unhealthy.has(resolved) || reg.unhealthy.has(splitImage(resolved).repository + ':*');
}
