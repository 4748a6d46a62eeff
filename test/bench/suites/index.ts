import type { BenchSuite } from '../suite';
import { appSuite } from './app';
import { batchSuite } from './batch';
import { batchSheetSuite } from './batchSheet';
import { engineSuite } from './engine';
import { evalSuite } from './eval';
import { imagesSuite } from './images';
import { jpegSuite } from './jpeg';
import { leversSuite } from './levers';
import { outlineSuite } from './outline';
import { exportSuite } from './export';
import { preprocessSuite } from './preprocess';
import { previewSuite } from './preview';
import { segmentSuite } from './segment';
import { sweepSuite } from './sweep';
import { workersSuite } from './workers';

/** Every benchmark suite. Add one import and one line per suite. */
// prettier-ignore
export const suites: readonly BenchSuite[] = [
  preprocessSuite,
  engineSuite,
  leversSuite,
  segmentSuite,
  appSuite,
  batchSuite,
  batchSheetSuite,
  sweepSuite,
  workersSuite,
  imagesSuite,
  jpegSuite,
  exportSuite,
  evalSuite,
  outlineSuite,
  previewSuite,
];
