/**
 * `models widen <model>…`: makes the fp32 variant `<model>-fp32` of installed fp16 models (main/models/widenModel.ts):
 * on the CPU provider fp16 weights give no speed and take more memory. The variant can then be quantized.
 */
import { makeFp32Variant } from '../../models/widenModel';
import type { VariantMaker } from './modelsVariant';

export const fp32Maker: VariantMaker = {
  usage: 'widen takes the fp16 models to make fp32 variants of: models widen <id>…',
  label: 'fp32',
  make: makeFp32Variant,
  describe: (id, params, written) =>
    `fp32 variant of ${id} (for CPU), ${(params / 1e6).toFixed(1)} M fp16 weights made fp32, ${written} written`,
};
