// The local certificate authority and server certificate `aksim serve` uses for HTTPS on
// 127.0.0.1: made once with openssl, cached in a directory beside the kubeconfig, reused while valid.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { wallNow } from '../runtime/clock.js';

export interface TlsFiles {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface TlsMaterial extends TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Names the server certificate must carry. */
const SERVER_NAMES = ['IP:127.0.0.1', 'IP:0:0:0:0:0:0:0:1', 'DNS:localhost'];
/** A certificate that ends within this window is made again. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Where the TLS (and sign-in) material lives: `aksim-tls/` beside the kubeconfig, or AKSIM_TLS_DIR. */
export function tlsDir(kubeconfig?: string): string {
  if (process.env.AKSIM_TLS_DIR) return process.env.AKSIM_TLS_DIR;
  const kc = kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
  return join(dirname(kc), 'aksim-tls');
}

export function tlsFiles(dir: string): TlsFiles {
  return { dir, caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

/** Whether the cached server certificate is still good: signed by the CA, names 127.0.0.1 and localhost, not ending soon. */
export function usable(files: TlsFiles, now = wallNow()): boolean {
  if (![files.caFile, files.certFile, files.keyFile].every((f) => existsSync(f))) return false;
  try {
    const ca = new X509Certificate(readFileSync(files.caFile));
    const cert = new X509Certificate(readFileSync(files.certFile));
    if (!cert.verify(ca.publicKey) || !cert.checkIssued(ca)) return false;
    if (!cert.checkIP('127.0.0.1') || !cert.checkHost('localhost')) return false;
    return Date.parse(cert.validTo) - now > RENEW_BEFORE_MS && Date.parse(ca.validTo) - now > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err: unknown) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `openssl ${args[0]} failed${stderr ? `: ${stderr}` : ''} (aksim serve needs the openssl command to make its local certificates)`,
      { cause: err },
    );
  }
}

/** Makes a CA and a server certificate for 127.0.0.1/localhost in dir (replacing any there). */
function make(files: TlsFiles): void {
  const { dir } = files;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ext = join(dir, 'server.ext');
  writeFileSync(
    ext,
    [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${SERVER_NAMES.join(', ')}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid, issuer',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '3650',
      '-subj',
      '/CN=aksim local CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash',
    ],
    dir,
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '825',
      '-sha256',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  for (const f of ['server.csr', 'server.ext', 'ca.srl']) rmSync(join(dir, f), { force: true });
}

/** The CA and server certificate in dir, made on first use (or when no longer usable). */
export function ensureTls(dir: string): TlsMaterial {
  const files = tlsFiles(dir);
  if (!usable(files)) make(files);
  if (!usable(files)) throw new Error(`the certificates made in ${dir} do not verify; remove the directory and try again`);
  return {
    ...files,
    ca: readFileSync(files.caFile, 'utf8'),
    cert: readFileSync(files.certFile, 'utf8'),
    key: readFileSync(files.keyFile, 'utf8'),
  };
}
