/**
 * `models quantize <model>…`: makes the int8 variant `<model>-int8` of installed SD1.5 sets and ControlNets
 * (main/models/quantizeModel.ts): smaller weights for CPU users, installed beside the source, which stays as it was.
 */
import { makeInt8Variant } from '../../models/quantizeModel';
import type { VariantMaker } from './modelsVariant';

export const int8Maker: VariantMaker = {
  usage: 'quantize takes the models to make int8 variants of: models quantize <id>…',
  label: 'int8',
  make: makeInt8Variant,
  describe: (id, params, written) =>
    `int8 variant of ${id}, ${(params / 1e6).toFixed(1)} M weights in int8, ${written} written (its quality has not been judged yet)`,
};
