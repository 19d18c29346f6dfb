import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a real S3-compatible test server, for what the server cannot do by
 * itself:
 * - `failFirst: n` answers the first n requests with 503 SlowDown (to see the SDK retry);
 * - `conditionalPuts` honours `If-None-Match: *` on PUT (s3rver ignores it): per key, one at a
 *   time, a HEAD to the server decides between 412 PreconditionFailed and forwarding the PUT.
 * Everything else is forwarded unchanged.
 */
export interface S3TestProxy {
  readonly endpoint: string;
  /** Requests answered with 503 so far. */
  readonly failed: number;
  /** `METHOD /path?query` of every request seen. */
  readonly requests: readonly string[];
  stop(): Promise<void>;
}

export async function startS3Proxy(
  target: string,
  opts: { failFirst?: number; conditionalPuts?: boolean } = {},
): Promise<S3TestProxy> {
  const upstream = new URL(target);
  let failed = 0;
  const requests: string[] = [];
  const locks = new Map<string, Promise<void>>();

  const forward = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    new Promise((resolve, reject) => {
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          up.on('end', resolve);
        },
      );
      out.on('error', reject);
      req.pipe(out);
    });

  const exists = (path: string): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const head = request({ host: upstream.hostname, port: upstream.port, method: 'HEAD', path }, (up) => {
        up.resume();
        resolve(up.statusCode === 200);
      });
      head.on('error', reject);
      head.end();
    });

  const error = (res: ServerResponse, status: number, code: string): void => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} (test proxy)</Message></Error>`,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (failed < (opts.failFirst ?? 0)) {
      failed++;
      req.resume();
      return error(res, 503, 'SlowDown');
    }
    if (!(opts.conditionalPuts === true && req.method === 'PUT' && req.headers['if-none-match'] === '*'))
      return forward(req, res);
    const path = (req.url ?? '/').split('?')[0]!;
    const previous = locks.get(path) ?? Promise.resolve();
    let release = (): void => undefined;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const chained = previous.then(() => mine);
    locks.set(path, chained);
    await previous;
    try {
      if (await exists(path)) {
        req.resume();
        return error(res, 412, 'PreconditionFailed');
      }
      await forward(req, res);
    } finally {
      release();
      if (locks.get(path) === chained) locks.delete(path);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) error(res, 502, 'BadGateway');
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get failed() {
      return failed;
    },
    requests,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
