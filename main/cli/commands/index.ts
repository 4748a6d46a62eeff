import type { Command } from '../command';
import { modelsCommand } from './models';
import { devicesCommand } from './devices';
import { editCommand } from './edit';
import { preprocessCommand } from './preprocess';
import { scheduleCommand } from './schedule';
import { segmentCommand } from './segment';
import { serveCommand } from './serve';

/** Every `iir` command, in the order `iir --help` lists them. Add one import and one line per command. */
// prettier-ignore
export const commands: readonly Command[] = [
  editCommand,
  preprocessCommand,
  scheduleCommand,
  devicesCommand,
  segmentCommand,
  modelsCommand,
  serveCommand,
];
