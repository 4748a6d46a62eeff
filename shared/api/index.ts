import { requestChannels } from './channels';
import type { Channel } from './types';

export * from './channels';
export * from './devices';
export * from './edit';
export * from './editPlan';
export * from './envelope';
export * from './eventNames';
export * from './ids';
export * from './images';
export * from './jobs';
export * from './metrics';
export * from './models';
export * from './paths';
export * from './remote';
export * from './projects';
export * from './settings';
export * from './sweep';
export type * from './types';
export * from './wire';

/** Every request channel name. */
export const channelNames = Object.keys(requestChannels) as Channel[];

/** True when `name` is a request channel (own key of the map, so `__proto__` and friends are not). */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(requestChannels, name);
}

/** Splits `'domain:verb'`. */
export function splitChannel(channel: Channel): { domain: string; verb: string } {
  const [domain = '', verb = ''] = channel.split(':');
  return { domain, verb };
}
