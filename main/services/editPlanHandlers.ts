import type { EditParams, ImageId } from '../../shared/api';
import type { MemoryLevers } from '../engine/memoryPlan';
import type { Handlers } from '../ipc/handlers';
import { EditPlanner, choiceOf } from './editPlans';
import type { HandlerServices } from './handlers';
import { WarmUps } from './warmUps';

/** The planner and the warm-ups of one app: `edit:plan` fills them, every edit job reads them. */
export interface EditPlanning {
  readonly planner: EditPlanner;
  readonly warmUps: WarmUps;
  readonly handlers: Pick<Handlers, 'edit:plan'>;
  /**
   * The parameters and memory levers an edit of `imageId` on `device` runs with: the plan the panels showed when it
   * still holds (low-memory on when it picked it). A warm-up of other sessions is cancelled first.
   */
  forEdit(imageId: ImageId, device: string, params: EditParams): Promise<{ params: EditParams; memory: MemoryLevers }>;
}

/** `edit:plan` and the edits' plans over the app's services. */
export function createEditPlanning(
  services: HandlerServices,
  resolveDevice: (provider: string) => Promise<string>,
): EditPlanning {
  const planner = new EditPlanner(services, resolveDevice);
  const warmUps = new WarmUps(services.engines);
  return {
    planner,
    warmUps,
    handlers: {
      'edit:plan': async ({ imageId, warm, ...choice }) => {
        const planned = await planner.plan(imageId, { ...choice, lowMemory: services.settings.get().lowMemory });
        // Low-memory plans keep no session between stages, and remote workers load their own.
        const warming = warm && !planned.plan.stageByStage && !services.remote.queue;
        if (warming) void warmUps.start(planned.plan.device, planned.sessions, planned.warmUp);
        else if (warm) warmUps.cancel();
        return { ...planned.plan, warming };
      },
    },
    async forEdit(imageId, device, params) {
      const planned = await planner.forEdit(imageId, choiceOf(params, services.settings.get().lowMemory));
      warmUps.beforeEdit(device, planned.sessions);
      return { params: { ...params, lowMemory: planned.plan.lowMemory !== 'off' }, memory: planned.levers };
    },
  };
}
