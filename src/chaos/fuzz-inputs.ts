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
const junk: fc.Arbitrary<unknown> = fc.oneof(
  junkNoNumber,
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noDefaultInfinity: false }),
);

/** Mostly good values, often bad ones: an input with one or two fields is then accepted about half the time. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: good }, { weight: 2, arbitrary: bad });

/** A count: small valid ones (0-3) or wrong ones; never a valid count that would make many nodes. */
const count = mostly(
  fc.integer({ min: 0, max: 3 }),
  fc.oneof(
    fc.integer({ min: -50, max: -1 }),
    fc.integer({ min: 1001, max: 1_000_000 }),
    fc.double({ min: 0.1, max: 3.9, noInteger: true }),
    junkNoNumber,
  ),
);
/** Versions the schema takes but the operator may refuse (a downgrade, a minor ahead, one it does not know), and wrong ones. */
const version = mostly(
  fc.constantFrom('1.34.4', '1.34', '1.33.5', '1.35.1', '1.30.14', '1.34.9'),
  fc.oneof(fc.constantFrom('9.99.9', '1.34.4.1', 'v1.34.4', ''), junk),
);
const maxSurge = mostly(fc.constantFrom('1', '2', '33%', '100%'), fc.oneof(fc.constantFrom('0', '-1', '101%', 'abc', '1.5'), junk));
const labelKey = fc.oneof(
  fc.constantFrom('team', 'app.kubernetes.io/name', 'tier'),
  fc.constantFrom('bad key', '-x', 'a'.repeat(70), 'kubernetes.azure.com/mode'),
  fc.string({ maxLength: 12 }),
);
const labelValue = fc.oneof(
  fc.constantFrom('a', 'blue', 'web'),
  fc.constantFrom('', 'has space', 'x'.repeat(70)),
  fc.string({ maxLength: 10 }),
);
const labels = mostly(
  fc.dictionary(fc.constantFrom('team', 'app.kubernetes.io/name', 'tier'), fc.constantFrom('a', 'blue', 'web'), { maxKeys: 2 }),
  fc.oneof(fc.dictionary(labelKey, labelValue, { maxKeys: 3 }), junk),
);
const taints = mostly(
  fc.array(fc.constantFrom('team=a:NoSchedule', 'k=v:PreferNoSchedule'), { maxLength: 2 }),
  fc.oneof(
    fc.array(fc.oneof(fc.constantFrom('bad', 'k=v:Nope', '=v:NoSchedule'), fc.string({ maxLength: 16 })), { minLength: 1, maxLength: 3 }),
    junk,
  ),
);
const mode = mostly(fc.constantFrom('User', 'System'), fc.oneof(fc.constant('Gateway'), junk));
const drain = mostly(
  fc.integer({ min: 1, max: 1440 }),
  fc.oneof(fc.integer({ min: -5, max: 0 }), fc.integer({ min: 1441, max: 100_000 }), junk),
);

/** One or two fields of a record of arbitraries (more fields would almost always hold a bad one). */
function oneOrTwo(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(fields);
  return fc
    .subarray(names, { minLength: 1, maxLength: 2 })
    .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, fields[k]!]))));
}

/** A merge patch of a SimNodePool's spec, as a user might `kubectl patch` it. */
export const poolSpecPatch = oneOrTwo({
  count,
  orchestratorVersion: version,
  upgradeSettings: mostly(oneOrTwo({ maxSurge, drainTimeoutInMinutes: drain }), junk),
  nodeLabels: labels,
  nodeTaints: taints,
  mode,
  vmSize: fc.oneof(fc.constantFrom('Standard_D2s_v3', 'Standard_DS2_v2', 'Standard_B1s', 'bogus'), junk),
  maxPods: junk,
});

/** Pool names for ARM PUTs: the existing pool, new valid names, and invalid ones. */
export const armPoolName = fc.oneof(
  { weight: 3, arbitrary: fc.constant('fp') },
  { weight: 2, arbitrary: fc.constantFrom('np1', 'np2') },
  { weight: 2, arbitrary: fc.constantFrom('UPPER', '1abc', 'waytoolongpoolname', 'a-b', 'x') },
);

/** An agentPools PUT body (ARM), including bodies that are not objects at all. */
export const armPoolBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      properties: oneOrTwo({
        count,
        orchestratorVersion: version,
        mode,
        vmSize: mostly(fc.constantFrom('Standard_D2s_v3', 'Standard_B2s'), fc.oneof(fc.constant('bogus'), junk)),
        osType: mostly(fc.constant('Linux'), fc.oneof(fc.constantFrom('Windows', 'Plan9'), junk)),
        osSKU: mostly(fc.constantFrom('Ubuntu', 'AzureLinux'), fc.oneof(fc.constantFrom('Windows2022', 'Mint'), junk)),
        availabilityZones: mostly(
          fc.subarray(['1', '2', '3'], { maxLength: 3 }),
          fc.oneof(fc.array(fc.constantFrom('1', '4', ''), { minLength: 1, maxLength: 4 }), junk),
        ),
        scaleSetPriority: mostly(fc.constant('Regular'), fc.oneof(fc.constant('Cheap'), junk)),
        upgradeSettings: mostly(fc.record({ maxSurge }), junk),
        nodeLabels: labels,
        nodeTaints: taints,
      }),
    }),
  },
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
