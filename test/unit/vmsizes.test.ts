// Unit tests for the VM size catalog and VM family rule.
import { expect } from 'chai';
import { isValidVmSizeName, lookupVmSize, VM_SIZES, vmCapacity, vmFamily } from '../../src/azure/vmsizes.js';

describe('azure/vmsizes', () => {
  const families: [string, string][] = [
    ['Standard_DS2_v2', 'D'],
    ['Standard_DS3_v2', 'D'],
    ['Standard_GS5', 'G'],
    ['Standard_D2s_v3', 'D'],
    ['Standard_D4ds_v5', 'D'],
    ['Standard_NC6s_v3', 'NC'],
    ['Standard_NC24ads_A100_v4', 'NC'],
    ['Standard_ND40rs_v2', 'ND'],
    ['Standard_NV6', 'NV'],
    ['Standard_E4s_v3', 'E'],
    ['Standard_B2s', 'B'],
    ['Standard_M8ms', 'M'],
    ['Standard_L8s_v3', 'L'],
    ['Standard_DC2s_v3', 'DC'],
    ['Basic_A1', 'A'],
    ['standard_d2s_v3', 'D'],
  ];
  for (const [name, family] of families) {
    it(`vmFamily(${name}) = ${family}`, () => expect(vmFamily(name)).to.equal(family));
  }

  it('has the required sizes with family filled in', () => {
    const required = [
      'Standard_B2s',
      'Standard_B4ms',
      'Standard_D2s_v3',
      'Standard_D4s_v3',
      'Standard_D8s_v3',
      'Standard_D16s_v3',
      'Standard_D2s_v5',
      'Standard_D4s_v5',
      'Standard_D8s_v5',
      'Standard_D2ds_v5',
      'Standard_D4ds_v5',
      'Standard_DS2_v2',
      'Standard_DS3_v2',
      'Standard_E2s_v3',
      'Standard_E4s_v3',
      'Standard_E8s_v5',
      'Standard_F2s_v2',
      'Standard_F4s_v2',
      'Standard_F8s_v2',
      'Standard_NC6s_v3',
      'Standard_NC24ads_A100_v4',
      'Standard_NV6',
      'Standard_ND40rs_v2',
      'Standard_L8s_v3',
      'Standard_M8ms',
    ];
    for (const name of required) {
      const s = lookupVmSize(name);
      expect(s, name).to.not.equal(undefined);
      expect(s?.family).to.equal(vmFamily(name));
    }
    expect(VM_SIZES.length).to.be.at.least(required.length);
  });

  it('looks sizes up case-insensitively', () => {
    expect(lookupVmSize('standard_d4s_v3')).to.include({ name: 'Standard_D4s_v3', vcpus: 4, memoryGiB: 16, gpus: 0 });
    expect(lookupVmSize('Standard_Nope99')).to.equal(undefined);
  });

  it('gives Kubernetes quantities for known sizes', () => {
    expect(vmCapacity('Standard_D2s_v3')).to.deep.equal({
      cpu: '2',
      memory: `${8 * 1024 * 1024}Ki`,
      pods: '110',
      ephemeralStorage: '129886128Ki',
    });
    expect(vmCapacity('Standard_DS2_v2').memory).to.equal('7340032Ki');
    expect(vmCapacity('Standard_NC6s_v3')).to.include({ cpu: '6', gpu: '1' });
    expect(vmCapacity('Standard_ND40rs_v2')).to.include({ cpu: '40', gpu: '8' });
    expect(vmCapacity('Standard_M8ms').memory).to.equal('229376000Ki');
  });

  it('derives a fallback for unknown sizes', () => {
    expect(vmCapacity('Standard_D96as_v5')).to.deep.equal({
      cpu: '96',
      memory: `${96 * 4 * 1024 * 1024}Ki`,
      pods: '110',
      ephemeralStorage: '129886128Ki',
    });
    expect(vmCapacity('Standard_Weird')).to.include({ cpu: '2', memory: `${8 * 1024 * 1024}Ki` });
    expect(vmCapacity('Standard_Weird')).to.not.have.property('gpu');
  });

  const names: [string, boolean][] = [
    ['Standard_D2s_v3', true],
    ['Standard_NC24ads_A100_v4', true],
    ['Standard_Dsv', false],
    ['standard_D2s_v3', false],
    ['Standard_2s', false],
    ['Standard_D2s-v3', false],
    ['Basic_A1', false],
    ['', false],
  ];
  for (const [name, ok] of names) {
    it(`isValidVmSizeName(${JSON.stringify(name)}) = ${ok}`, () => expect(isValidVmSizeName(name)).to.equal(ok));
  }
});
