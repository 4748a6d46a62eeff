/**
 * True for a name or address of this machine's loopback interface (`localhost`, `127.x.x.x`, `::1` with or without
 * URL brackets): serve mode binds only there unless told otherwise, and plain http is allowed only there.
 */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
