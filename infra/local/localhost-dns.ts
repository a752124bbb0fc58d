// Resolves `*.localhost` to the loopback address in this process, as RFC 6761 says resolvers
// should but glibc does not. SQS queue URLs name their region in the host
// (`sqs.us-east-1.localhost:<port>`), and the SDK sends each call to its queue URL's host, so the
// handlers' unchanged SQS clients need these names to reach the local queues.
import dns from 'node:dns';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;
type Lookup = (hostname: string, options: unknown, callback?: LookupCallback) => void;

let installed: { original: typeof dns.lookup; users: number } | undefined;

function loopback(options: unknown, callback: LookupCallback): void {
  const opts = (typeof options === 'object' && options !== null ? options : {}) as dns.LookupOptions;
  const family = typeof options === 'number' ? options : opts.family;
  const address = family === 6 ? { address: '::1', family: 6 } : { address: '127.0.0.1', family: 4 };
  process.nextTick(() => {
    if (opts.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  });
}

/** Installs the resolver for as long as any caller holds it; returns the release function. */
export function resolveLocalhostSubdomains(): () => void {
  if (!installed) {
    const original = dns.lookup;
    const patched: Lookup = (hostname, options, callback) => {
      const done = (typeof options === 'function' ? options : callback) as LookupCallback;
      if (hostname.toLowerCase().endsWith('.localhost')) {
        loopback(typeof options === 'function' ? undefined : options, done);
        return;
      }
      (original as Lookup)(hostname, options, callback);
    };
    dns.lookup = patched as typeof dns.lookup;
    installed = { original, users: 0 };
  }
  installed.users++;
  let released = false;
  return () => {
    if (released || !installed) return;
    released = true;
    installed.users--;
    if (installed.users === 0) {
      dns.lookup = installed.original;
      installed = undefined;
    }
  };
}
