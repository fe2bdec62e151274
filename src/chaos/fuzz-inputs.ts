// Pure: the inputs of the chaos run's fuzz pass (fast-check arbitraries sampled from the run's seed)
// and what counts as a clear refusal. Valid-looking values stay small (a count of 0-3) so an
// accepted input never makes hundreds of nodes; everything else is deliberately wrong: wrong
// types, out-of-range numbers, unknown enum values, odd strings.
import fc from 'fast-check';

/** Wrong-typed or odd values (no plain numbers: those are chosen per field). */
const junkNoNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ maxLength: 24 }),
  fc.constantFrom('', ' ', '💥', '../../etc', '${x}', '0x10', '1e3', 'null'),
  fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
);
const junk: fc.Arbitrary<unknown> = fc.oneof(junkNoNumber, fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ noDefaultInfinity: false }));

/** A node count: small valid ones (0-3), or wrong ones; never a valid count that would make many nodes. */
const count = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -50, max: -1 }), fc.integer({ min: 1001, max: 1_000_000 }), fc.double({ min: 0.1, max: 3.9, noInteger: true }), junkNoNumber);
const version = fc.oneof(fc.constantFrom('1.34.4', '1.34', '1.33.5', '1.35.1', '1.30.14', '9.99.9', '1.34.4.1', 'v1.34.4'), junk);
const maxSurge = fc.oneof(fc.constantFrom('1', '33%', '0', '-1', '100%', '101%', 'abc', '1.5'), junk);
const labelKey = fc.oneof(fc.constantFrom('team', 'app.kubernetes.io/name', 'kubernetes.azure.com/mode', 'bad key', '-x', 'a'.repeat(70)), fc.string({ maxLength: 12 }));
const labelValue = fc.oneof(fc.constantFrom('a', 'blue', '', 'has space', 'x'.repeat(70)), fc.string({ maxLength: 10 }));
const taints = fc.oneof(fc.array(fc.oneof(fc.constantFrom('team=a:NoSchedule', 'k=v:PreferNoSchedule', 'bad', 'k=v:Nope', '=v:NoSchedule'), fc.string({ maxLength: 16 })), { maxLength: 3 }), junk);

/** A merge patch of a SimNodePool's spec, as a user might `kubectl patch` it. */
export const poolSpecPatch = fc.record(
  {
    count,
    orchestratorVersion: version,
    upgradeSettings: fc.oneof(fc.record({ maxSurge, drainTimeoutInMinutes: fc.oneof(fc.integer({ min: -5, max: 2000 }), junk) }, { requiredKeys: [] }), junk),
    nodeLabels: fc.oneof(fc.dictionary(labelKey, labelValue, { maxKeys: 3 }), junk),
    nodeTaints: taints,
    mode: fc.oneof(fc.constantFrom('System', 'User', 'Gateway'), junk),
    vmSize: fc.oneof(fc.constantFrom('Standard_D2s_v3', 'Standard_DS2_v2', 'Standard_B1s', 'bogus'), junk),
    maxPods: junk,
  },
  { requiredKeys: [] },
);

/** Pool names for ARM PUTs: the existing pool, new valid names, and invalid ones. */
export const armPoolName = fc.oneof(fc.constant('fp'), fc.constantFrom('np1', 'np2', 'UPPER', '1abc', 'waytoolongpoolname', 'a-b', 'x'));

/** An agentPools PUT body (ARM), including bodies that are not objects at all. */
export const armPoolBody = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    properties: fc.record(
      {
        count,
        orchestratorVersion: version,
        mode: fc.oneof(fc.constantFrom('System', 'User', 'Gateway'), junk),
        vmSize: fc.oneof(fc.constantFrom('Standard_D2s_v3', 'Standard_B1s', 'bogus'), junk),
        osType: fc.oneof(fc.constantFrom('Linux', 'Windows', 'Plan9'), junk),
        osSKU: fc.oneof(fc.constantFrom('Ubuntu', 'AzureLinux', 'Windows2022', 'Mint'), junk),
        availabilityZones: fc.oneof(fc.array(fc.constantFrom('1', '2', '3', '4', ''), { maxLength: 4 }), junk),
        scaleSetPriority: fc.oneof(fc.constantFrom('Regular', 'Spot', 'Cheap'), junk),
        upgradeSettings: fc.oneof(fc.record({ maxSurge }, { requiredKeys: [] }), junk),
        nodeLabels: fc.oneof(fc.dictionary(labelKey, labelValue, { maxKeys: 3 }), junk),
        nodeTaints: taints,
      },
      { requiredKeys: [] },
    ),
  }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.record({ properties: junk }) },
  { weight: 1, arbitrary: fc.oneof(junk, fc.constantFrom('{"properties": ', 'not json', '[]')) },
);

/** The same inputs for the same seed. */
export function sample<T>(arb: fc.Arbitrary<T>, seed: number, runs: number): T[] {
  return fc.sample(arb, { seed, numRuns: runs });
}

/** Why a refusal message is not clear, or undefined when it is. */
export function unclear(message: string): string | undefined {
  const m = message.trim();
  if (!m) return 'an empty message';
  if (m.length > 4000) return `a message of ${m.length} characters`;
  if (/\n\s+at .+:\d+:\d+\)?/.test(m)) return 'a stack trace';
  const bad = /\[object Object\]|TypeError|ReferenceError|Cannot read propert|is not a function/.exec(m);
  if (bad) return `"${bad[0]}" in the message`;
  return undefined;
}
