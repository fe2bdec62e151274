// ContainerGroupProfile controller: observe (the profile from its cache), decide (decide.ts,
// pure: record a new revision when the spec changed), act. NGroups that name a profile follow
// its changes through their own controller (controllers/ngroup/).
import type { ContainerGroupProfile } from '../../src/api/generated.js';
import { profileId } from '../../src/aci/ids.js';
import { objectKey, splitKey } from '../../src/model/names.js';
import type { Reconciler, Result } from '../../src/runtime/controller.js';
import type { ControllerDef, Ctx } from '../context.js';
import { act } from '../shared/act.js';
import { CONTROLLER, decideProfile } from './decide.js';

export const profileController: ControllerDef = {
  name: 'profile',
  reconciler: (ctx) => new ProfileReconciler(ctx),
  watch(ctx, enqueue) {
    const self = (p: ContainerGroupProfile): void => enqueue(objectKey(p.metadata.namespace!, p.metadata.name!));
    ctx.profiles.on({ add: self, update: (_o, p) => self(p) });
  },
};

class ProfileReconciler implements Reconciler {
  readonly name = 'profile';
  constructor(private readonly ctx: Ctx) {}

  async reconcile(key: string): Promise<Result> {
    const { ctx } = this;
    const cgp = ctx.profiles.get(key);
    if (!cgp) return;
    const [ns, name] = splitKey(key);
    const plan = decideProfile(cgp, profileId(ctx.settings.subscriptionId, ns, name), new Date(ctx.clock.now()).toISOString());
    return act({ kube: ctx.kube, events: ctx.events, log: ctx.log, controller: CONTROLLER, now: () => ctx.clock.now() }, plan);
  }
}
