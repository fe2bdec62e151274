// ContainerGroupProfile controller: observe (the profile from its cache), decide (decide.ts,
// pure: record a new revision when the spec changed), act. NGroups that name a profile follow
// its changes through their own controller (controllers/ngroup/).
import { profileId } from '../../src/aci/ids.js';
import { splitKey } from '../../src/model/names.js';
import type { ControllerDef } from '../context.js';
import { enqueueEvery, PlanReconciler } from '../shared/wiring.js';
import { CONTROLLER, decideProfile } from './decide.js';

export const profileController: ControllerDef = {
  name: 'profile',
  reconciler: (ctx) =>
    new PlanReconciler('profile', ctx, CONTROLLER, (key) => {
      const cgp = ctx.profiles.get(key);
      if (!cgp) return undefined;
      const [ns, name] = splitKey(key);
      return decideProfile(cgp, profileId(ctx.settings.subscriptionId, ns, name), new Date(ctx.clock.now()).toISOString());
    }),
  watch(ctx, enqueue) {
    enqueueEvery(ctx.profiles, enqueue, { deletes: false });
  },
};
