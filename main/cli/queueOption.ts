/**
 * `--queue <redis://…>`, declared once for the commands that must talk to a Redis queue (`iir worker`,
 * `iir workers`); the address is parsed by `parseQueueUrl`.
 */
export const queueOption = {
  queue: {
    type: 'string',
    valueName: 'redis://…',
    required: true,
    description: 'redis://[user:password@]host:port[/db] or rediss:// (TLS)',
  },
} as const;
