/**
 * The event channel names, without their schemas, for code that must not load zod (the preload is one small
 * sandboxed file). `eventChannels` in channels.ts is checked to have exactly these keys.
 */
export const eventChannelList = [
  'jobs:event',
  'models:progress',
  'app:menu',
  'app:opened',
  'app:notice',
  'batch:event',
] as const;
