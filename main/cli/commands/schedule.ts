import { createScheduler, defaultSpacing, schedulerNames, spacingNames } from '../../../shared/engine/schedulers';
import { defineCommand } from '../command';

/** `iir schedule`: the timesteps (and σ) a scheduler would run, for checking against diffusers. */
export const scheduleCommand = defineCommand({
  name: 'schedule',
  summary: 'print the timesteps and sigmas a scheduler runs',
  description:
    'Prints the denoising timesteps the engine would use for a scheduler, step count, spacing and img2img strength,\n' +
    "in diffusers' conventions (SD1.5 config). For the σ-based schedulers (euler, euler-a, dpmpp-2m) it also prints\n" +
    'the sigma of each step followed by the final 0.\nDefault spacing: ' +
    Object.entries(defaultSpacing)
      .map(([name, spacing]) => `${name} ${spacing ?? 'own (50 original steps)'}`)
      .join(', ') +
    '.',
  positionals: [],
  options: {
    scheduler: {
      type: 'string',
      valueName: 's',
      choices: schedulerNames,
      required: true,
      description: 'the sampler',
    },
    steps: {
      type: 'number',
      valueName: 'n',
      integer: true,
      min: 1,
      max: 1000,
      default: 20,
      description: 'number of inference steps (before strength)',
    },
    spacing: {
      type: 'string',
      valueName: 'spacing',
      choices: spacingNames,
      description: "timestep spacing (default: the scheduler's own; lcm takes none)",
    },
    strength: {
      type: 'number',
      valueName: 's',
      min: 0,
      max: 1,
      default: 1,
      description: 'img2img strength: run the last ⌊steps·s⌋ timesteps (lcm: pick from ⌊50·s⌋ original ones)',
    },
    json: { type: 'boolean', description: 'print {"timesteps": [...], "sigmas": [...]} on stdout' },
  },
  examples: [
    'schedule --scheduler dpmpp-2m --steps 20 --json',
    'schedule --scheduler ddim --steps 50 --spacing trailing --strength 0.6',
    'schedule --scheduler lcm --steps 4 --json',
  ],
  run({ options }, context) {
    const scheduler = createScheduler(options.scheduler, {
      steps: options.steps,
      strength: options.strength,
      ...(options.spacing === undefined ? {} : { spacing: options.spacing }),
    });
    const { timesteps, sigmas } = scheduler;
    if (options.json) {
      context.printJson(sigmas === null ? { timesteps } : { timesteps, sigmas });
      return Promise.resolve();
    }
    const spacing = scheduler.spacing === null ? 'LCM original-step' : `${scheduler.spacing}`;
    context.stdout.write(
      `${scheduler.name}, ${scheduler.inferenceSteps} steps, ${spacing} spacing, strength ${options.strength}: ` +
        `${scheduler.stepCount} run, initial noise σ ${scheduler.initNoiseSigma.toPrecision(6)}\n`,
    );
    context.stdout.write(sigmas === null ? 'step  timestep\n' : 'step  timestep     sigma\n');
    timesteps.forEach((t, i) => {
      const sigma = sigmas === null ? '' : `  ${sigmas[i]!.toFixed(6).padStart(10)}`;
      context.stdout.write(`${String(i).padStart(4)}  ${String(Number(t.toFixed(4))).padStart(8)}${sigma}\n`);
    });
    if (sigmas !== null) context.stdout.write(`   end  ${''.padStart(8)}  ${sigmas.at(-1)!.toFixed(6).padStart(10)}\n`);
    return Promise.resolve();
  },
});
