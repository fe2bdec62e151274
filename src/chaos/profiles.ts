// The chaos run's profiles: the default run (every scenario, 20 faults each) and the short CI run
// that `make test` runs as an e2e test.
export type ProfileName = 'ci' | 'default';

export interface Profile {
  /** Rounds per scenario; one fault per round. */
  rounds: number;
  scenarios: string[];
  /** Share of the operator's writes answered with an injected 429/500/409 outside the bursts. */
  errorRate: number;
  /** Fuzz runs per surface (CR specs with kubectl; ARM bodies to the REST service). */
  fuzzRuns: number;
  /** Operations run on one pool at the end of the scale scenario (the history keeps 50). */
  historyOps: number;
}

export const ALL_SCENARIOS = ['scale', 'upgrade', 'abort', 'repair', 'autodrain', 'snapshot', 'ngroup-update', 'ngroup-scale'];

export const PROFILES: Record<ProfileName, Profile> = {
  default: { rounds: 20, scenarios: ALL_SCENARIOS, errorRate: 0.02, fuzzRuns: 60, historyOps: 55 },
  ci: {
    rounds: 3,
    scenarios: ['scale', 'repair', 'autodrain', 'ngroup-update'],
    errorRate: 0.02,
    fuzzRuns: 8,
    historyOps: 52,
  },
};
