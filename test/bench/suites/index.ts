import type { BenchSuite } from '../suite';
import { appSuite } from './app';
import { engineSuite } from './engine';
import { exportSuite } from './export';
import { preprocessSuite } from './preprocess';
import { segmentSuite } from './segment';

/** Every benchmark suite. Add one import and one line per suite. */
// prettier-ignore
export const suites: readonly BenchSuite[] = [
  preprocessSuite,
  engineSuite,
  segmentSuite,
  appSuite,
  exportSuite,
];
