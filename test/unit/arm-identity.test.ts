// Sign-in (src/arm/identity.ts): discovery documents, the client-credentials token endpoint, and
// the checks ARM makes on bearer tokens (forged, expired, wrong audience), with real RS256 keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SignJWT, generateKeyPair } from 'jose';
import { ArmError } from '../../src/arm/errors.js';
import { Identity, armAudience, resourceOf } from '../../src/arm/identity.js';

const BASE = 'https://127.0.0.1:8443';

describe('arm/identity', () => {
  let dir: string;
  let id: Identity;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aksim-id-'));
    id = await Identity.load(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const form = (o: Record<string, string>): string => new URLSearchParams(o).toString();
  const token = async (extra: Record<string, string> = {}): Promise<{ status: number; body: any }> =>
    (await id.handle(
      'POST',
      '/adfs/oauth2/token',
      new URLSearchParams(),
      form({
        grant_type: 'client_credentials',
        client_id: id.principal.clientId,
        client_secret: id.principal.clientSecret,
        resource: 'https://management.core.windows.net/',
        ...extra,
      }),
      BASE,
    )) as any;
  const refused = async (auth: string | undefined): Promise<ArmError> => {
    try {
      await id.authenticate(auth, BASE);
    } catch (err: unknown) {
      return err as ArmError;
    }
    throw new Error('expected a refusal');
  };

  it('keeps its principal and key across loads', async () => {
    const again = await Identity.load(dir);
    expect(again.principal).to.deep.equal(id.principal);
    const t = (await token()).body.access_token;
    await again.authenticate(`Bearer ${t}`, BASE);
  });

  it('serves AD FS and Entra discovery documents naming its own endpoints', async () => {
    const adfs = (await id.handle('GET', '/adfs/.well-known/openid-configuration', new URLSearchParams(), '', BASE))!;
    expect(adfs.status).to.equal(200);
    expect(adfs.body).to.include({ token_endpoint: `${BASE}/adfs/oauth2/token`, issuer: `${BASE}/adfs` });
    const v2 = (await id.handle(
      'GET',
      `/${id.principal.tenantId}/v2.0/.well-known/openid-configuration`,
      new URLSearchParams(),
      '',
      BASE,
    ))!;
    expect(v2.body).to.include({ token_endpoint: `${BASE}/${id.principal.tenantId}/oauth2/v2.0/token` });
    const other = (await id.handle(
      'GET',
      '/00000000-1111-2222-3333-444444444444/v2.0/.well-known/openid-configuration',
      new URLSearchParams(),
      '',
      BASE,
    ))!;
    expect(other.status).to.equal(400);
    expect(await id.handle('GET', '/subscriptions', new URLSearchParams(), '', BASE)).to.equal(undefined);
  });

  it('issues a token for the client credentials and ARM accepts it', async () => {
    const r = await token();
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ token_type: 'Bearer', expires_in: 3600, resource: 'https://management.core.windows.net/' });
    await id.authenticate(`Bearer ${r.body.access_token}`, BASE);
  });

  it('refuses a wrong secret, an unknown client and other grants with Entra error codes', async () => {
    const bad = await token({ client_secret: 'nope' });
    expect(bad.status).to.equal(401);
    expect(bad.body.error).to.equal('invalid_client');
    expect(bad.body.error_description).to.match(/^AADSTS7000215: Invalid client secret/);
    const unknown = await token({ client_id: 'someone-else' });
    expect(unknown.body).to.include({ error: 'unauthorized_client' });
    const grant = await token({ grant_type: 'password' });
    expect(grant.body).to.include({ error: 'unsupported_grant_type' });
    const graph = await token({ resource: 'https://graph.microsoft.com/' });
    expect(graph.body).to.include({ error: 'invalid_resource' });
  });

  it('refuses requests without a token, forged, expired or for another audience, with ARM codes', async () => {
    expect(await refused(undefined)).to.include({ status: 401, code: 'AuthenticationFailed' });
    expect(await refused('Basic abc')).to.include({ status: 401, code: 'AuthenticationFailed' });
    expect(await refused('Bearer not-a-jwt')).to.include({ status: 401, code: 'InvalidAuthenticationToken' });
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setAudience('https://management.azure.com/')
      .setExpirationTime(now + 600)
      .sign(privateKey);
    expect(await refused(`Bearer ${forged}`)).to.include({ code: 'InvalidAuthenticationToken' });
    const v2 = (await id.handle(
      'POST',
      `/${id.principal.tenantId}/oauth2/v2.0/token`,
      new URLSearchParams(),
      form({
        grant_type: 'client_credentials',
        client_id: id.principal.clientId,
        client_secret: id.principal.clientSecret,
        scope: 'https://management.azure.com//.default',
      }),
      BASE,
    ))!;
    await id.authenticate(`Bearer ${(v2.body as any).access_token}`, BASE);
    // Expired and wrong-audience tokens signed with aksim's own key (read back from its key file).
    const { importPKCS8 } = await import('jose');
    const { readFileSync } = await import('node:fs');
    const key = await importPKCS8(readFileSync(join(dir, 'signing.key'), 'utf8'), 'RS256');
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setAudience('https://management.azure.com/')
      .setExpirationTime(now - 3600)
      .sign(key);
    expect(await refused(`Bearer ${expired}`)).to.include({ code: 'ExpiredAuthenticationToken' });
    const wrongAud = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setAudience('https://vault.azure.net')
      .setExpirationTime(now + 600)
      .sign(key);
    const e = await refused(`Bearer ${wrongAud}`);
    expect(e).to.include({ code: 'InvalidAuthenticationTokenAudience' });
    expect(e.message).to.include("'https://vault.azure.net'");
  });

  it('reads the resource from resource= or from a /.default scope', () => {
    expect(resourceOf(new URLSearchParams('resource=https://management.core.windows.net/'))).to.equal(
      'https://management.core.windows.net/',
    );
    expect(resourceOf(new URLSearchParams('scope=https://management.core.windows.net//.default offline_access'))).to.equal(
      'https://management.core.windows.net/',
    );
    expect(resourceOf(new URLSearchParams('scope=openid'))).to.equal(undefined);
    expect(armAudience('https://management.azure.com', BASE)).to.equal(true);
    expect(armAudience(`${BASE}/`, BASE)).to.equal(true);
    expect(armAudience('https://graph.microsoft.com', BASE)).to.equal(false);
  });
});
