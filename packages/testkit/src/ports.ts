import { createServer } from 'node:net';

/**
 * A TCP port that is free right now on `host`: the kernel picks one for port 0, we close it and
 * hand the number on. Another process could take it before the caller binds it; callers that
 * cannot bind port 0 themselves (OpenSearch) retry with a new port when that happens.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error('no port assigned')) : resolve(port)));
    });
  });
}
