// The api-versions Azure publishes for each resource type aksim answers, and ARM's refusal of any
// other (400 InvalidApiVersionParameter). Lists are aksim's copy of what the providers publish
// (their `resourceTypes[].apiVersions`), newest last; GET .../providers/{namespace} shows them.

const months = (year: number, list: number[], day = '01', suffix = ''): string[] =>
  list.map((m) => `${year}-${String(m).padStart(2, '0')}-${day}${suffix}`);

/** Microsoft.ContainerService managedClusters and everything under them (agentPools, operations, snapshots). */
const CONTAINER_SERVICE = [
  '2017-08-31',
  '2018-03-31',
  '2018-08-01-preview',
  '2019-02-01',
  '2019-04-01',
  '2019-06-01',
  '2019-08-01',
  '2019-10-01',
  '2019-11-01',
  ...months(2020, [1, 2, 3, 4, 6, 7, 9, 11, 12]),
  ...months(2021, [2, 3, 5, 7, 8, 9, 10]),
  '2021-11-01-preview',
  ...months(2022, [1, 2, 3, 4, 6, 7, 8, 9, 11]),
  ...months(2022, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], '02', '-preview'),
  '2022-08-03-preview',
  ...months(2023, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
  ...months(2023, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], '02', '-preview'),
  ...months(2024, [1, 2, 5, 7, 8, 9, 10]),
  ...months(2024, [1, 2, 3, 4, 5, 6, 7, 9, 10], '02', '-preview'),
  ...months(2025, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
  ...months(2025, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], '02', '-preview'),
  ...months(2026, [1, 2, 3, 4, 5, 6]),
  ...months(2026, [1, 2, 3, 4, 5, 6], '02', '-preview'),
];

/** Microsoft.ContainerInstance ngroups and containerGroupProfiles. */
const CONTAINER_INSTANCE = ['2024-09-01-preview', '2024-11-01-preview', '2025-05-01-preview', '2025-09-01', '2026-06-01-preview'];

/** Microsoft.Resources: subscriptions, resourceGroups, providers, tenants, locations. */
const RESOURCES = [
  '2014-04-01-preview',
  '2015-01-01',
  '2015-11-01',
  '2016-02-01',
  '2016-06-01',
  '2016-07-01',
  '2016-09-01',
  '2017-05-10',
  '2017-06-01',
  '2017-08-01',
  '2018-02-01',
  '2018-05-01',
  '2018-06-01',
  '2018-07-01',
  '2018-08-01',
  '2018-09-01',
  '2018-11-01',
  '2019-03-01',
  '2019-05-01',
  '2019-05-10',
  '2019-06-01',
  '2019-07-01',
  '2019-08-01',
  '2019-09-01',
  '2019-10-01',
  '2019-11-01',
  '2020-01-01',
  '2020-06-01',
  '2020-08-01',
  '2020-10-01',
  '2021-01-01',
  '2021-04-01',
  '2022-01-01',
  '2022-09-01',
  '2022-12-01',
  '2023-07-01',
  '2024-03-01',
  '2024-07-01',
  '2024-11-01',
  '2025-01-01',
  '2025-03-01',
  '2025-04-01',
];

/** The ARM metadata endpoint (cloud discovery). */
const METADATA = ['2015-01-01', '2018-01-01', '2019-05-01', '2020-06-01', '2022-09-01'];

export type ApiFamily = 'containerservice' | 'containerinstance' | 'resources' | 'metadata';

export const API_VERSIONS: Record<ApiFamily, readonly string[]> = {
  containerservice: CONTAINER_SERVICE,
  containerinstance: CONTAINER_INSTANCE,
  resources: RESOURCES,
  metadata: METADATA,
};

/**
 * The family a request path belongs to (its provider namespace; ARM's own types otherwise);
 * undefined for a provider aksim does not simulate (its routes answer 404 whatever the version).
 */
export function familyOf(segments: string[]): ApiFamily | undefined {
  const lc = segments.map((s) => s.toLowerCase());
  if (lc[0] === 'metadata') return 'metadata';
  // The last `providers/{namespace}` names the provider, as ARM routes nested and extension resources.
  const i = lc.lastIndexOf('providers');
  const ns = i >= 0 ? lc[i + 1] : undefined;
  const type = i >= 0 ? lc[i + 2] : undefined;
  if (!type || type === 'register' || type === 'unregister') return 'resources'; // the provider itself
  if (ns === 'microsoft.containerservice') return 'containerservice';
  if (ns === 'microsoft.containerinstance') return 'containerinstance';
  if (ns !== undefined && ns !== 'microsoft.resources') return undefined;
  return 'resources';
}

/** The ARM error text for an api-version a type does not publish, or undefined when it does. */
export function checkApiVersion(family: ApiFamily, version: string): string | undefined {
  const list = API_VERSIONS[family];
  if (list.includes(version.toLowerCase())) return undefined;
  return `The api-version '${version}' is invalid. The supported versions are '${[...list].reverse().join(',')}'.`;
}
