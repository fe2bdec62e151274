// Which command modules a command line loads (src/cli/commands.ts): the one it names, none for
// --version and the operator, all of them for help and for anything unknown (so commander can
// list them and suggest a name).
import { expect } from 'chai';
import { COMMANDS, commandsFor } from '../../src/cli/commands.js';

const ALL = ['aks', 'group', 'account', 'rest', 'serve', 'az-login', 'sim'];

describe('cli: commands a command line loads', () => {
  it('lists every az-shaped command once, in help order', () => {
    expect(COMMANDS.map(([name]) => name)).to.deep.equal(ALL);
  });
  it('loads only the command the line names, also after help', () => {
    expect(commandsFor(['aks', 'show', '-g', 'rg', '-n', 'c'])).to.deep.equal(['aks']);
    expect(commandsFor(['sim', 'fault', 'inject'])).to.deep.equal(['sim']);
    expect(commandsFor(['help', 'group'])).to.deep.equal(['group']);
  });
  it('loads none for --version, -V and the operator', () => {
    expect(commandsFor(['--version'])).to.deep.equal([]);
    expect(commandsFor(['-V'])).to.deep.equal([]);
    expect(commandsFor(['operator', '--time-scale', '60'])).to.deep.equal([]);
  });
  it('loads all for help, no command, and unknown commands or options', () => {
    for (const args of [
      [],
      ['--help'],
      ['-h'],
      ['help'],
      ['nosuch'],
      ['akss', 'show'],
      ['--version', 'extra'],
      ['--kubeconfig', 'x', 'aks'],
    ])
      expect(commandsFor(args), args.join(' ')).to.deep.equal(ALL);
  });
});
