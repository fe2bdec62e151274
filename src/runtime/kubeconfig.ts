// Reads a kubeconfig into what a request needs (server, TLS material, bearer token or basic
// auth) for the CLI's light client. Anything beyond that (exec and auth-provider plugins,
// proxies, merged KUBECONFIG lists, in-cluster config) is left to client-node: see
// lite-client.ts. Field names and path rules follow kubectl.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Everything needed to reach the API server with node:https. */
export interface Connection {
  /** Without a trailing slash. */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  username?: string;
  password?: string;
  skipTLSVerify: boolean;
  tlsServerName?: string;
  /** The kubeconfig user's `as`: sent as Impersonate-User. */
  impersonate?: string;
}

/** Either a connection the light client can use, or why client-node must make it. */
export type Resolved = { kind: 'direct'; connection: Connection } | { kind: 'client-node'; reason: string };

/** Where the kubeconfig is: one file, or a case only client-node handles (its loadFromDefault). */
export type Location = { kind: 'file'; path: string } | { kind: 'client-node'; reason: string };

type ReadFile = (path: string) => Buffer;

/**
 * The kubeconfig to use, as kubectl picks it: an explicit path, else $KUBECONFIG (one file; a
 * list is merged by client-node), else ~/.kube/config, else the in-cluster service account
 * (client-node).
 */
export function locateKubeconfig(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  exists: (p: string) => boolean = existsSync,
): Location {
  if (explicit) return { kind: 'file', path: explicit };
  const files = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (files.length === 1) return { kind: 'file', path: files[0]! };
  if (files.length > 1) return { kind: 'client-node', reason: 'KUBECONFIG lists several files' };
  const home = env.HOME ?? homedir();
  const fallback = join(home, '.kube', 'config');
  if (exists(fallback)) return { kind: 'file', path: fallback };
  return { kind: 'client-node', reason: 'no kubeconfig file (in-cluster configuration)' };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The entry of a kubeconfig list (clusters, users, contexts) by name. */
function named(doc: Obj, list: string, name: string, where: string): Obj | undefined {
  const items = doc[list];
  if (items === undefined || items === null) return undefined;
  if (!Array.isArray(items)) throw new Error(`${where}: ${list} must be a list`);
  const hit = items.find((x: unknown) => isObj(x) && x.name === name) as Obj | undefined;
  if (!hit) return undefined;
  const inner = hit[list.slice(0, -1)]; // clusters[].cluster, users[].user, contexts[].context
  if (!isObj(inner)) throw new Error(`${where}: ${list.slice(0, -1)} ${name} has no ${list.slice(0, -1)} map`);
  return inner;
}

function str(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`${where}: ${key} must be a string`);
  return v;
}

/**
 * Resolves the current context of a kubeconfig text. `path` names the file in errors and is
 * the base of relative file references (kubectl resolves them against the file's directory).
 */
export function resolveKubeconfig(text: string, path: string, readFile: ReadFile = readFileSync): Resolved {
  const where = `kubeconfig ${path}`;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err: unknown) {
    throw new Error(`${where} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!isObj(doc)) throw new Error(`${where} is empty or not a map`);
  const current = str(doc, 'current-context', where);
  if (!current) throw new Error(`${where} has no current-context`);
  const context = named(doc, 'contexts', current, where);
  if (!context) throw new Error(`${where}: current-context ${current} is not among its contexts`);
  const clusterName = str(context, 'cluster', where);
  const cluster = clusterName ? named(doc, 'clusters', clusterName, where) : undefined;
  if (!cluster) throw new Error(`${where}: the cluster of context ${current} (${clusterName ?? 'none'}) is not among its clusters`);
  const userName = str(context, 'user', where);
  const user = (userName ? named(doc, 'users', userName, where) : undefined) ?? {};

  if (user.exec !== undefined && user.exec !== null) return { kind: 'client-node', reason: 'the user runs an exec credential plugin' };
  if (user['auth-provider'] !== undefined && user['auth-provider'] !== null)
    return { kind: 'client-node', reason: 'the user has an auth-provider' };
  if (str(cluster, 'proxy-url', where)) return { kind: 'client-node', reason: 'the cluster is reached through a proxy' };

  const server = str(cluster, 'server', where);
  if (!server) throw new Error(`${where}: cluster ${clusterName} has no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`${where}: cluster ${clusterName} has an invalid server URL ${server}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`${where}: cluster ${clusterName} server ${server} is not http(s)`);

  const base = dirname(path);
  const fromFile = (key: string, file: string): Buffer => {
    const full = isAbsolute(file) ? file : join(base, file);
    try {
      return readFile(full);
    } catch (err: unknown) {
      throw new Error(`${where}: cannot read ${key} ${full}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  // A file reference wins over inline data, as in kubectl.
  const material = (o: Obj, fileKey: string, dataKey: string): Buffer | undefined => {
    const file = str(o, fileKey, where);
    if (file) return fromFile(fileKey, file);
    const data = str(o, dataKey, where);
    return data ? Buffer.from(data, 'base64') : undefined;
  };

  const tokenFile = str(user, 'tokenFile', where);
  const token = str(user, 'token', where) ?? (tokenFile ? fromFile('tokenFile', tokenFile).toString('utf8').trim() : undefined);
  const connection: Connection = {
    server: server.replace(/\/+$/, ''),
    ca: material(cluster, 'certificate-authority', 'certificate-authority-data'),
    cert: material(user, 'client-certificate', 'client-certificate-data'),
    key: material(user, 'client-key', 'client-key-data'),
    token,
    username: str(user, 'username', where),
    password: str(user, 'password', where),
    skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: str(cluster, 'tls-server-name', where),
    impersonate: str(user, 'as', where),
  };
  if (!connection.cert !== !connection.key)
    throw new Error(`${where}: user ${userName} has a client certificate without a key (or a key without a certificate)`);
  return { kind: 'direct', connection };
}
