// Every chaos scenario, in the order a run takes them.
import type { Profile } from '../profiles.js';
import type { Scenario } from '../scenario.js';
import { abortScenario } from './abort.js';
import { autodrainScenario } from './autodrain.js';
import { ngroupScaleScenario, ngroupUpdateScenario } from './ngroup.js';
import { repairScenario } from './repair.js';
import { scaleScenario } from './scale.js';
import { snapshotScenario } from './snapshot.js';
import { upgradeScenario } from './upgrade.js';

export function SCENARIOS(p: Profile): Scenario[] {
  return [
    scaleScenario(p.historyOps),
    upgradeScenario(),
    abortScenario(),
    repairScenario(),
    autodrainScenario(),
    snapshotScenario(),
    ngroupUpdateScenario(),
    ngroupScaleScenario(),
  ];
}
