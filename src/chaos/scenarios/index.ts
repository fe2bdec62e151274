// Every chaos scenario, in the order a run takes them.
import type { Profile } from '../profiles.js';
import type { Scenario } from '../scenario.js';
import { scaleScenario } from './scale.js';

export function SCENARIOS(p: Profile): Scenario[] {
  return [scaleScenario(p.historyOps)];
}
