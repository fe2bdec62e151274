// Unit tests for AKS node and VMSS naming.
import { expect } from 'chai';
import { isValidPoolName, nodeName, parseNodeIndex, poolHash, vmssInstanceName, vmssName } from '../../src/model/naming.js';

describe('nodepool/naming', () => {
  it('poolHash is 8 stable decimal digits', () => {
    const h = poolHash('sub', 'rg1', 'cluster1', 'nodepool1');
    expect(h).to.match(/^\d{8}$/);
    expect(poolHash('sub', 'rg1', 'cluster1', 'nodepool1')).to.equal(h);
    expect(poolHash('sub', 'rg1', 'cluster1', 'nodepool2')).to.not.equal(h);
    // parts are joined by '/', so the split point does not matter
    expect(poolHash('a/b')).to.equal(poolHash('a', 'b'));
  });

  it('poolHash matches known FNV-1a 32-bit values', () => {
    // FNV-1a("") = 0x811c9dc5 = 2166136261; FNV-1a("a") = 0xe40c292c = 3826002220
    expect(poolHash('')).to.equal('66136261');
    expect(poolHash('a')).to.equal('26002220');
  });

  it('builds VMSS, node and instance names', () => {
    expect(vmssName('nodepool1', '12345678')).to.equal('aks-nodepool1-12345678-vmss');
    expect(vmssInstanceName('nodepool1', '12345678', 0)).to.equal('aks-nodepool1-12345678-vmss_0');
    expect(vmssInstanceName('nodepool1', '12345678', 37)).to.equal('aks-nodepool1-12345678-vmss_37');
  });

  const indices: [number, string][] = [
    [0, 'aks-nodepool1-12345678-vmss000000'],
    [1, 'aks-nodepool1-12345678-vmss000001'],
    [35, 'aks-nodepool1-12345678-vmss00000z'],
    [36, 'aks-nodepool1-12345678-vmss000010'],
    [1295, 'aks-nodepool1-12345678-vmss0000zz'],
  ];
  for (const [index, name] of indices) {
    it(`node index ${index} <-> ${name}`, () => {
      expect(nodeName('nodepool1', '12345678', index)).to.equal(name);
      expect(parseNodeIndex(name)).to.equal(index);
    });
  }

  it('rejects invalid indices and unparsable names', () => {
    expect(() => nodeName('p', '12345678', -1)).to.throw(RangeError);
    expect(() => nodeName('p', '12345678', 1.5)).to.throw(RangeError);
    expect(parseNodeIndex('aks-nodepool1-12345678-vmss_0')).to.equal(undefined);
    expect(parseNodeIndex('aks-nodepool1-12345678-vmss')).to.equal(undefined);
    expect(parseNodeIndex('some-node')).to.equal(undefined);
    expect(parseNodeIndex('aks-vmsspool-12345678-vmss00000A')).to.equal(undefined);
    expect(parseNodeIndex('aks-vmsspool-12345678-vmss00000a')).to.equal(10);
  });

  const pools: [string, 'Linux' | 'Windows', boolean][] = [
    ['nodepool1', 'Linux', true],
    ['a', 'Linux', true],
    ['abcdefghijkl', 'Linux', true],
    ['abcdefghijklm', 'Linux', false],
    ['1pool', 'Linux', false],
    ['Pool', 'Linux', false],
    ['pool-1', 'Linux', false],
    ['', 'Linux', false],
    ['win1', 'Windows', true],
    ['npwin1', 'Windows', true],
    ['npwin12', 'Windows', false],
  ];
  for (const [name, os, ok] of pools) {
    it(`isValidPoolName(${JSON.stringify(name)}, ${os}) = ${ok}`, () => expect(isValidPoolName(name, os)).to.equal(ok));
  }
});
