// The part of Microsoft Entra ID (and of AD FS) that Azure clients call to sign in a service
// principal: OpenID discovery, instance discovery, the token endpoint (client credentials) and the
// signing keys. Tokens are RS256 JWTs signed with a key aksim keeps beside its certificates; the
// ARM routes accept only tokens that verify against it, are current and name an ARM audience.
import { createHash, generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, exportJWK, importPKCS8, importSPKI, jwtVerify, errors as joseErrors, type JWK } from 'jose';
/** A key as jose imports it (a CryptoKey on Node 20). */
type SigningKey = Awaited<ReturnType<typeof importPKCS8>>;
import { wallNow } from '../runtime/clock.js';
import { ArmError } from './errors.js';

/** The simulated service principal clients sign in as. */
export interface Principal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Audiences ARM accepts, besides the endpoint's own URL. */
export const ARM_AUDIENCES = ['https://management.core.windows.net/', 'https://management.azure.com/'];
const TOKEN_SECONDS = 3600;

interface HttpAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const json = (status: number, body: unknown, headers?: Record<string, string>): HttpAnswer => ({ status, body, headers });
const noTrailingSlash = (s: string): string => s.replace(/\/+$/, '');

/** An OAuth2 error as Entra ID answers it (AADSTS code in the description, numeric code listed). */
function oauthError(status: number, error: string, aadsts: number, description: string): HttpAnswer {
  const now = new Date(wallNow())
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return json(status, {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${now}`,
    error_codes: [aadsts],
    timestamp: now,
  });
}

/** The resource a token is asked for: `resource` (v1, AD FS) or the first `scope` minus `/.default` (v2). */
export function resourceOf(form: URLSearchParams): string | undefined {
  const resource = form.get('resource');
  if (resource) return resource;
  const scope = form
    .get('scope')
    ?.split(/\s+/)
    .find((s) => s.endsWith('/.default'));
  return scope ? scope.slice(0, -'/.default'.length) : undefined;
}

/** Whether an audience names ARM (any spelling clients use) or this endpoint. */
export function armAudience(aud: string, baseUrl: string): boolean {
  const a = noTrailingSlash(aud).toLowerCase();
  return [...ARM_AUDIENCES, baseUrl].some((x) => noTrailingSlash(x).toLowerCase() === a);
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export class Identity {
  private constructor(
    readonly principal: Principal,
    private readonly privateKey: SigningKey,
    private readonly publicKey: SigningKey,
    private readonly jwk: JWK,
  ) {}

  /** Loads the principal and signing key kept in dir, making them on first use. */
  static async load(dir: string): Promise<Identity> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const principalFile = join(dir, 'principal.json');
    const keyFile = join(dir, 'signing.key');
    const pubFile = join(dir, 'signing.pub');
    if (!existsSync(principalFile)) {
      const p: Principal = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: randomBytes(24).toString('base64url') };
      writeFileSync(principalFile, JSON.stringify(p, null, 2) + '\n', { mode: 0o600 });
    }
    if (!existsSync(keyFile) || !existsSync(pubFile)) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
    }
    const principal = JSON.parse(readFileSync(principalFile, 'utf8')) as Principal;
    const privateKey = await importPKCS8(readFileSync(keyFile, 'utf8'), 'RS256');
    const publicKey = await importSPKI(readFileSync(pubFile, 'utf8'), 'RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = createHash('sha256')
      .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
      .digest('base64url')
      .slice(0, 27);
    return new Identity(principal, privateKey, publicKey, { ...jwk, kid, use: 'sig', alg: 'RS256' });
  }

  /** The issuer of tokens for a tenant path segment (`adfs` or a tenant id). */
  issuer(baseUrl: string, tenant: string): string {
    return tenant.toLowerCase() === 'adfs' ? `${noTrailingSlash(baseUrl)}/adfs` : `${noTrailingSlash(baseUrl)}/${this.principal.tenantId}/`;
  }

  /**
   * Answers the sign-in endpoints, or undefined when the path is not one of them:
   *   GET  /adfs/.well-known/openid-configuration, /{tenant}[/v2.0]/.well-known/openid-configuration
   *   POST /adfs/oauth2/token, /{tenant}/oauth2[/v2.0]/token
   *   GET  /adfs/discovery/keys, /{tenant}/discovery[/v2.0]/keys, /common/discovery/instance
   */
  async handle(method: string, path: string, query: URLSearchParams, rawBody: string, baseUrl: string): Promise<HttpAnswer | undefined> {
    const seg = path.split('/').filter(Boolean);
    const tenant = seg[0];
    if (!tenant || tenant.toLowerCase() === 'subscriptions' || tenant.toLowerCase() === 'metadata' || tenant.toLowerCase() === 'providers')
      return undefined;
    const rest = seg.slice(1).join('/').toLowerCase();
    const base = noTrailingSlash(baseUrl);
    if (tenant === 'common' && rest === 'discovery/instance') return this.instanceDiscovery(query, base);
    const known =
      tenant.toLowerCase() === 'adfs' || tenant === this.principal.tenantId || ['common', 'organizations'].includes(tenant.toLowerCase());
    const v2 = rest.startsWith('v2.0/') || rest.includes('/v2.0/');
    switch (rest) {
      case '.well-known/openid-configuration':
      case 'v2.0/.well-known/openid-configuration':
        if (method !== 'GET') return json(405, { error: 'invalid_request', error_description: `${method} is not allowed here` });
        if (!known)
          return oauthError(
            400,
            'invalid_tenant',
            90002,
            `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`,
          );
        return json(200, this.openidConfiguration(base, tenant, v2));
      case 'discovery/keys':
      case 'discovery/v2.0/keys':
        return json(200, { keys: [this.jwk] });
      case 'oauth2/token':
      case 'oauth2/v2.0/token':
        if (method !== 'POST') return json(405, { error: 'invalid_request', error_description: 'The token endpoint accepts POST only.' });
        if (!known) return oauthError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
        return this.token(new URLSearchParams(rawBody), base, tenant, v2 || rest === 'oauth2/v2.0/token');
      default:
        return undefined;
    }
  }

  private openidConfiguration(base: string, tenant: string, v2: boolean): Record<string, unknown> {
    const adfs = tenant.toLowerCase() === 'adfs';
    const t = adfs ? 'adfs' : tenant;
    const oauth = adfs ? `${base}/adfs/oauth2` : `${base}/${t}/oauth2${v2 ? '/v2.0' : ''}`;
    return {
      issuer: this.issuer(base, tenant),
      authorization_endpoint: `${oauth}/authorize`,
      token_endpoint: `${oauth}/token`,
      device_authorization_endpoint: `${oauth}/devicecode`,
      jwks_uri: adfs ? `${base}/adfs/discovery/keys` : `${base}/${t}/discovery${v2 ? '/v2.0' : ''}/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      grant_types_supported: ['client_credentials'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      tenant_region_scope: 'NA',
      cloud_instance_name: new URL(base).host,
    };
  }

  /** MSAL's instance discovery: this host is its own authority. */
  private instanceDiscovery(query: URLSearchParams, base: string): HttpAnswer {
    const host = new URL(base).host;
    const auth = query.get('authorization_endpoint');
    let tenant = this.principal.tenantId;
    if (auth) {
      try {
        tenant = new URL(auth).pathname.split('/').filter(Boolean)[0] ?? tenant;
      } catch {
        return oauthError(400, 'invalid_instance', 50049, `Unknown or invalid instance ${auth}.`);
      }
    }
    return json(200, {
      tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': query.get('api-version') ?? '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  private async token(form: URLSearchParams, base: string, tenant: string, v2: boolean): Promise<HttpAnswer> {
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials')
      return oauthError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grant ?? ''}': aksim signs in service principals with client credentials.`,
      );
    const clientId = form.get('client_id') ?? '';
    if (clientId.toLowerCase() !== this.principal.clientId.toLowerCase()) {
      return oauthError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.principal.tenantId}'.`,
      );
    }
    if (form.has('client_assertion'))
      return oauthError(401, 'invalid_client', 700027, 'Client assertion (certificate) sign-in is not simulated: use the client secret.');
    const secret = form.get('client_secret');
    if (!secret || !sameSecret(secret, this.principal.clientSecret))
      return oauthError(
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
    const resource = resourceOf(form);
    if (!resource)
      return oauthError(400, 'invalid_scope', 70011, "The provided request must include a 'scope' or 'resource' input parameter.");
    if (!armAudience(resource, base)) {
      return oauthError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant. aksim issues tokens for Azure Resource Manager only.`,
      );
    }
    const nowSec = Math.floor(wallNow() / 1000);
    const accessToken = await this.issue(resource, this.issuer(base, tenant));
    const out: Record<string, unknown> = {
      token_type: 'Bearer',
      expires_in: TOKEN_SECONDS,
      ext_expires_in: TOKEN_SECONDS,
      access_token: accessToken,
    };
    if (!v2) Object.assign(out, { expires_on: String(nowSec + TOKEN_SECONDS), not_before: String(nowSec - 300), resource });
    return json(200, out);
  }

  /** A signed access token for ARM (what the token endpoint hands out, and `aksim account get-access-token`). */
  async issue(resource: string, issuer: string): Promise<string> {
    const nowSec = Math.floor(wallNow() / 1000);
    return new SignJWT({
      appid: this.principal.clientId,
      appidacr: '1',
      idtyp: 'app',
      oid: this.principal.clientId,
      tid: this.principal.tenantId,
      ver: '1.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.jwk.kid! })
      .setIssuer(issuer)
      .setAudience(resource)
      .setSubject(this.principal.clientId)
      .setIssuedAt(nowSec)
      .setNotBefore(nowSec - 300)
      .setExpirationTime(nowSec + TOKEN_SECONDS)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  /**
   * Checks an ARM request's Authorization header. Throws ArmError 401 with ARM's codes:
   * AuthenticationFailed (no or malformed header), InvalidAuthenticationToken (not ours, forged,
   * not yet valid), ExpiredAuthenticationToken, InvalidAuthenticationTokenAudience.
   */
  async authenticate(authorization: string | undefined, baseUrl: string): Promise<void> {
    if (!authorization) throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m)
      throw new ArmError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
      );
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(m[1]!, this.publicKey, {
        algorithms: ['RS256'],
        currentDate: new Date(wallNow()),
        clockTolerance: 300,
      }));
    } catch (err: unknown) {
      if (err instanceof joseErrors.JWTExpired) {
        const exp = Number((err.payload as { exp?: number }).exp ?? 0);
        throw new ArmError(
          401,
          'ExpiredAuthenticationToken',
          `The access token expiry UTC time '${new Date(exp * 1000).toUTCString()}' is earlier than current UTC time '${new Date(wallNow()).toUTCString()}'.`,
        );
      }
      throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', undefined, { cause: err });
    }
    const aud = ([] as unknown[]).concat(payload.aud ?? []).map(String);
    if (!aud.some((a) => armAudience(a, baseUrl))) {
      throw new ArmError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${aud.join(', ')}'. It should exactly match with one of the allowed audiences ${[...ARM_AUDIENCES, noTrailingSlash(baseUrl)].map((a) => `'${a}'`).join(',')}.`,
      );
    }
  }
}
