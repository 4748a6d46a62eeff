import type { BenchSuite } from '../suite';
import { appSuite } from './app';
import { batchSuite } from './batch';
import { engineSuite } from './engine';
import { imagesSuite } from './images';
import { jpegSuite } from './jpeg';
import { exportSuite } from './export';
import { preprocessSuite } from './preprocess';
import { previewSuite } from './preview';
import { segmentSuite } from './segment';
import { workersSuite } from './workers';

/** Every benchmark suite. Add one import and one line per suite. */
// prettier-ignore
export const suites: readonly BenchSuite[] = [
  preprocessSuite,
  engineSuite,
  segmentSuite,
  appSuite,
  batchSuite,
  workersSuite,
  imagesSuite,
  jpegSuite,
  exportSuite,
  previewSuite,
];
