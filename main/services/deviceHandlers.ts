import type { PreflightReport } from '../engine/providers';
import type { Handlers } from '../ipc/handlers';
import type { EnginePool } from './engines';
import type { SettingsStore } from './settings';

/** The device channels, and the one routing rule every job follows. */
export interface DeviceRouting {
  readonly handlers: Pick<Handlers, 'devices:providers' | 'devices:preflight'>;
  /** The queue a job for `provider` joins: `auto` shares the queue of the provider it resolved to at the last check. */
  readonly deviceOf: (provider: string) => string;
  /** {@link deviceOf} once a pre-flight has told what `auto` is (running one first if none has). */
  readonly resolveDevice: (provider: string) => Promise<string>;
}

/**
 * Pre-flight checks of the execution providers (run in the engine process, the last one remembered), and the device
 * each job runs on, so two jobs never run at once on one device.
 */
export function createDeviceRouting(engines: EnginePool, settings: SettingsStore): DeviceRouting {
  let lastPreflight: PreflightReport | undefined;
  const deviceOf = (provider: string): string => (provider === 'auto' ? (lastPreflight?.auto ?? 'auto') : provider);
  const preflight = async (refresh: boolean) => {
    const value = await engines.client(deviceOf(settings.get().provider)).run({ kind: 'preflight', refresh });
    if (value.kind !== 'preflight') throw new Error('the engine answered a pre-flight with another task');
    lastPreflight = value.report;
    return toDevices(value.report);
  };
  return {
    deviceOf,
    resolveDevice: async (provider) => {
      if (provider === 'auto' && !lastPreflight) await preflight(false);
      return deviceOf(provider);
    },
    handlers: {
      'devices:providers': () => (lastPreflight ? toDevices(lastPreflight) : preflight(false)),
      'devices:preflight': () => preflight(true),
    },
  };
}

function toDevices(report: PreflightReport) {
  return {
    providers: report.providers.map((p) => ({
      name: p.name,
      isShipped: p.shipped,
      isWorking: p.shipped ? p.ok : false,
      reason: p.reason ?? null,
    })),
    auto: report.auto,
  };
}
