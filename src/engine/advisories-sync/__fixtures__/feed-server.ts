// A feed server on 127.0.0.1 (port 0) for the advisories sync tests: never the real URLs.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';

export type Route =
  | { body: Buffer | string; status?: number; headers?: Record<string, string> }
  | ((req: IncomingMessage, res: ServerResponse) => void);

export interface FeedServer {
  url(path: string): string;
  routes: Map<string, Route>;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const route = routes.get(path);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (typeof route === 'function') {
      route(req, res);
      return;
    }
    const body = typeof route.body === 'string' ? Buffer.from(route.body) : route.body;
    res.writeHead(route.status ?? 200, { 'content-length': String(body.length), ...route.headers });
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends the head announcing `announced` bytes and part of the body, then cuts the connection. */
export function cutOff(body: Buffer, sent: number): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': String(body.length) });
    res.write(body.subarray(0, sent), () => setTimeout(() => res.socket?.destroy(), 20));
  };
}

/** Never answers (for timeouts). */
export const silent: Route = () => undefined;

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function gzip(text: string): Buffer {
  return gzipSync(Buffer.from(text));
}

export function zip(files: Record<string, string>): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([n, t]) => [n, Buffer.from(t)]))));
}

export function kevJson(cves: readonly string[], version = '2025.08.25'): string {
  return `${JSON.stringify(
    {
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: version,
      dateReleased: '2025-08-25T17:04:19.9796Z',
      count: cves.length,
      vulnerabilities: cves.map((cve) => ({
        cveID: cve,
        vendorProject: 'Git',
        product: 'Git',
        vulnerabilityName: 'Git Link Following Vulnerability',
        dateAdded: '2025-08-25',
        shortDescription: 'Git contains a link following vulnerability.',
        requiredAction: 'Apply mitigations per vendor instructions.',
        dueDate: '2025-09-15',
        knownRansomwareCampaignUse: 'Unknown',
        notes: 'https://nvd.nist.gov/vuln/detail/' + cve,
        cwes: ['CWE-59'],
      })),
    },
    null,
    2,
  )}\n`;
}

export function epssCsv(rows: readonly [string, string, string][]): string {
  return `#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z\ncve,epss,percentile\n${rows
    .map((r) => r.join(','))
    .join('\n')}\n`;
}

export function osvRecord(id: string, ecosystem: string, fixed: string, cve = 'CVE-2014-3616'): string {
  return `${JSON.stringify(
    {
      id,
      summary: 'nginx - security update',
      affected: [
        {
          package: { ecosystem, name: 'nginx' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
        },
      ],
      aliases: [cve],
      published: '2014-09-20T00:00:00Z',
      modified: '2014-09-20T08:18:07Z',
    },
    null,
    2,
  )}\n`;
}
