// Unit: who may use the console (src/console/access.ts): loopback only, the token, same origin for actions.
import { expect } from 'chai';
import { checkAccess, cookieValue, isLoopbackAddress, isLoopbackHost, type AccessInput } from '../../src/console/access.js';

const TOKEN = 'secret-token';
const req = (o: Partial<AccessInput>): AccessInput => ({
  remoteAddress: '127.0.0.1',
  host: '127.0.0.1:8443',
  cookie: undefined,
  header: undefined,
  queryToken: null,
  method: 'GET',
  origin: undefined,
  ...o,
});

describe('console: access', () => {
  it('knows loopback addresses and host names', () => {
    for (const a of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).to.equal(true);
    for (const a of ['10.0.0.5', '::ffff:192.168.1.2', '', undefined]) expect(isLoopbackAddress(a), String(a)).to.equal(false);
    for (const h of ['127.0.0.1:8443', 'localhost', 'LOCALHOST:1', '[::1]:8443']) expect(isLoopbackHost(h), h).to.equal(true);
    for (const h of ['evil.example:8443', '10.0.0.5:8443', undefined]) expect(isLoopbackHost(h), String(h)).to.equal(false);
  });

  it('refuses requests without the token, and with a wrong one', () => {
    expect(checkAccess(req({}), TOKEN)).to.include({ ok: false, status: 401 });
    expect(checkAccess(req({ cookie: 'aksim_console=nope' }), TOKEN)).to.include({ ok: false, status: 401 });
    expect(checkAccess(req({ header: 'secret-tokeN' }), TOKEN)).to.include({ ok: false, status: 401 });
  });

  it('takes the token from ?token= (GET only), the cookie or the header', () => {
    expect(checkAccess(req({ queryToken: TOKEN }), TOKEN)).to.deep.equal({ ok: true, via: 'query' });
    expect(checkAccess(req({ queryToken: TOKEN, method: 'POST' }), TOKEN)).to.include({ ok: false });
    expect(checkAccess(req({ cookie: `a=b; aksim_console=${TOKEN}` }), TOKEN)).to.deep.equal({ ok: true, via: 'cookie' });
    expect(checkAccess(req({ header: TOKEN }), TOKEN)).to.deep.equal({ ok: true, via: 'header' });
    expect(cookieValue('x=1; aksim_console=a%20b', 'aksim_console')).to.equal('a b');
  });

  it('answers only on loopback, to loopback host names, and takes actions only from its own origin', () => {
    expect(checkAccess(req({ remoteAddress: '10.1.2.3', header: TOKEN }), TOKEN)).to.include({ ok: false, status: 403 });
    expect(checkAccess(req({ host: 'rebind.example:8443', header: TOKEN }), TOKEN)).to.include({ ok: false, status: 403 });
    expect(checkAccess(req({ method: 'POST', cookie: `aksim_console=${TOKEN}`, origin: 'http://localhost:3000' }), TOKEN)).to.include({
      ok: false,
      status: 403,
    });
    expect(checkAccess(req({ method: 'POST', cookie: `aksim_console=${TOKEN}`, origin: 'http://127.0.0.1:8443' }), TOKEN)).to.deep.equal({
      ok: true,
      via: 'cookie',
    });
  });
});
