/**
 * Fusing after a pull: when a pull completes an SD1.5 set with its residual UNet (`controlnet/model.onnx`) and a
 * split ControlNet in the same models folder, the pair is fused at once (`fuseModelSet`: one graph, no weights
 * copied), so the engine runs it fused. A pair already fused and current is left alone; a pair that cannot be fused
 * is reported, never a failed pull.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { currentFusedGraph, fuseModelSet } from './fuse';
import { listInstalled, type InstalledModel } from './receipt';

const controlnetRoles: readonly string[] = ['controlnet-iir', 'controlnet-canny'];

function isResidualSd(model: InstalledModel): boolean {
  return model.receipt.role === 'sd15' && existsSync(join(model.dir, 'controlnet', 'model.onnx'));
}

/** What {@link fuseAfterPull} did: the fused graphs written, and the pairs it could not fuse (one line each). */
export interface AutoFuseResult {
  readonly fused: readonly string[];
  readonly failed: readonly string[];
}

/** Fuses every installed SD1.5 × ControlNet pair that includes `pulledId` and has no current fused graph. */
export async function fuseAfterPull(modelsDir: string, pulledId: string): Promise<AutoFuseResult> {
  const installed = await listInstalled(modelsDir);
  const sds = installed.filter(isResidualSd);
  const controlnets = installed.filter((m) => controlnetRoles.includes(m.receipt.role));
  const fused: string[] = [];
  const failed: string[] = [];
  for (const sd of sds) {
    for (const controlnet of controlnets) {
      if (sd.id !== pulledId && controlnet.id !== pulledId) continue;
      if (await currentFusedGraph(sd.dir, controlnet.dir)) continue;
      try {
        fused.push((await fuseModelSet(sd.dir, controlnet.dir)).path);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        failed.push(`${sd.id} + ${controlnet.id}: ${reason.split('\n')[0]}`);
      }
    }
  }
  return { fused, failed };
}
