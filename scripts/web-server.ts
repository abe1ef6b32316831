import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { contentSecurityPolicy, WEB_SECURITY_HEADERS } from '#shared/http/web-headers.ts';
import type { LocalMeetings } from '#shared/visits/local-meetings.ts';

/**
 * LOCAL ONLY (npm start, browser tests): one origin serving the built web clients and the API,
 * as CloudFront does on AWS (web bucket for `/tablet*`, `/console*`, `/assets/*`, `/docs/*`; the
 * API for the rest). It also plays the media side of `LocalMeetings`: the signalling WebSocket
 * the Chime SDK opens when a call starts, which records the join token it was opened with.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** Which paths the web bucket answers; everything else goes to the API. */
export const WEB_PREFIXES = ['/tablet', '/console', '/assets/', '/docs/'] as const;

export function isWebPath(path: string): boolean {
  return WEB_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
  );
}

/** The file a web path maps to (a page's folder serves its index.html), or undefined. */
export function webFile(webDir: string, path: string): string | undefined {
  const rootDir = resolve(webDir);
  const relative = normalize(decodeURIComponent(path)).replace(/^[/\\]+/, '');
  let file = resolve(rootDir, relative);
  if (file !== rootDir && !file.startsWith(rootDir + sep)) return undefined;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

export function webHeaders(file: string): Record<string, string> {
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  // Chunks carry a content hash; pages and page entries must be revalidated to pick up a release.
  const immutable = /[/\\]assets[/\\]/.test(file);
  return {
    'content-type': type,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': contentSecurityPolicy(),
    ...WEB_SECURITY_HEADERS,
  };
}

export interface WebServer {
  url: string;
  server: ServerType;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** The API: a fetch handler (the Hono app). */
  fetch: (request: Request) => Response | Promise<Response>;
  /** The built web clients (scripts/build-web.ts). */
  webDir: string;
  port?: number;
  hostname?: string;
  /** The local meeting stand-in: its signalling URLs are pointed at this server. */
  meetings?: LocalMeetings;
  /** The app's clock, for the times of the attendee events (default: the wall clock). */
  now?: () => Date;
}

/** The signalling socket's events never fail the socket: a meeting ended meanwhile is only logged. */
function reportAttendee(
  meetings: LocalMeetings,
  meetingId: string,
  attendeeId: string,
  what: 'joined' | 'left',
  at: Date,
): void {
  meetings.reportAttendee(meetingId, attendeeId, what, at).catch((error: unknown) => {
    console.warn(`local meeting ${meetingId}: attendee ${what} not reported: ${(error as Error).message}`);
  });
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const server = await new Promise<ServerType>((resolveServer) => {
    const s = serve(
      {
        fetch: async (request: Request) => {
          const url = new URL(request.url);
          // The media side of LocalMeetings: the SDK's event reports are accepted and dropped.
          if (options.meetings && url.pathname.startsWith('/local-chime/')) return new Response(null, { status: 204 });
          if ((request.method === 'GET' || request.method === 'HEAD') && isWebPath(url.pathname)) {
            const file = webFile(options.webDir, url.pathname);
            if (file) {
              const body =
                request.method === 'HEAD' ? null : (Readable.toWeb(createReadStream(file)) as ReadableStream);
              return new Response(body, { status: 200, headers: webHeaders(file) });
            }
          }
          return options.fetch(request);
        },
        port: options.port ?? 0,
        hostname: options.hostname ?? '127.0.0.1',
      },
      () => resolveServer(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  const host = options.hostname ?? '127.0.0.1';
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const meetings = options.meetings;
  const now = options.now ?? (() => new Date());
  const sockets = new WebSocketServer({
    noServer: true,
    // The Chime SDK offers `_aws_wt_session` and the join token as subprotocols; a browser drops a
    // connection whose server picks none.
    handleProtocols: (protocols) => (protocols.has('_aws_wt_session') ? '_aws_wt_session' : false),
  });
  if (meetings) {
    meetings.useMediaHost(url);
    server.on('upgrade', (request: IncomingMessage, socket, head) => {
      const match = /^\/local-chime\/signal\/([0-9a-f-]{36})(\?|$)/.exec(request.url ?? '');
      const offered = String(request.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim());
      const joinToken = offered.find((p) => p !== '_aws_wt_session') ?? '';
      if (!match?.[1]) {
        socket.destroy();
        return;
      }
      const accepted = meetings.recordSignalling(match[1], joinToken);
      if (!accepted) {
        socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
      const meetingId = match[1];
      const attendeeId = meetings.signalling.at(-1)?.attendeeId ?? '';
      sockets.handleUpgrade(request, socket, head, (ws) => {
        // The stand-in does not speak Chime's signalling protocol: it keeps the socket open so the
        // session's connection attempt is observable, and ignores the frames. Opening and closing
        // it is the attendee joining and leaving: the same events Chime publishes, so the visit's
        // check-in runs the code path it runs on AWS.
        ws.on('message', () => undefined);
        reportAttendee(meetings, meetingId, attendeeId, 'joined', now());
        ws.on('close', () => reportAttendee(meetings, meetingId, attendeeId, 'left', now()));
      });
    });
  }

  return {
    url,
    server,
    close: () =>
      new Promise<void>((done) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => done());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
