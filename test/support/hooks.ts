// Mocha root hooks: stop the operator the e2e suites shared, so the run can exit.
import { stopSharedOperator } from './env.js';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedOperator();
  },
};
