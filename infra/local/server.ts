import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { functionGroups, routesFor, type ApiName, type FunctionGroupName, type Route } from '../routes.ts';
import { buildEvent } from './event.ts';

/**
 * The local API Gateway: an HTTP listener for the public API and, optionally, an HTTPS
 * listener with `requestCert` for the mTLS API. Both dispatch with the route table the CDK
 * stack uses, to the real handler modules.
 */
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** API Gateway refuses payloads above 10 MB; the handlers cap far lower themselves. */
const maxBodyBytes = 1024 * 1024;

export async function loadHandlers(): Promise<Record<FunctionGroupName, Handler>> {
  const handlers = {} as Record<FunctionGroupName, Handler>;
  for (const [name, group] of Object.entries(functionGroups)) {
    const mod = (await import(new URL(`../../${group.entry}`, import.meta.url).href)) as { handler: Handler };
    handlers[name as FunctionGroupName] = mod.handler;
  }
  return handlers;
}

export function createHttpListener(handlers: Record<FunctionGroupName, Handler>): Server {
  return answerMalformedRequests(createHttpServer(requestListener('public', handlers)));
}

export function createMtlsListener(handlers: Record<FunctionGroupName, Handler>, tls: { cert: string; key: string; ca: string }): Server {
  // Like API Gateway's mTLS domain: a certificate that does not chain to the truststore fails the handshake.
  return answerMalformedRequests(createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, requestListener('mtls', handlers)));
}

/**
 * Requests Node's HTTP parser refuses before any handler sees them (headers above its 16 KiB
 * limit, broken request lines) get a 4xx with a JSON body, as API Gateway answers its own
 * refusals (`{"message": …}`), instead of Node's bare status line.
 */
function answerMalformedRequests<T extends Server>(server: T): T {
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, reason] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify({ message: reason });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  return server;
}

function requestListener(api: ApiName, handlers: Record<FunctionGroupName, Handler>) {
  const table = routesFor(api).map((route) => ({ route, pattern: pathPattern(route.path) }));
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (tooLarge) return send(res, jsonError(413, 'invalid_request', 'Request body too large'));
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      const matches = table.map((t) => ({ ...t, params: matchPath(t.pattern, path) })).filter((t) => t.params !== undefined);
      if (matches.length === 0) return send(res, jsonError(404, 'not_found', 'Not found'));
      const hit = matches.find((m) => m.route.method === req.method);
      if (!hit) return send(res, jsonError(405, 'method_not_allowed', `Method ${req.method} not allowed`, { Allow: matches.map((m) => m.route.method).join(', ') }));
      const event = buildEvent(req, Buffer.concat(chunks), hit.route, hit.params ?? null, api);
      handlers[hit.route.fn](event, lambdaContext(hit.route))
        .then((result) => send(res, result))
        .catch((error: unknown) => {
          process.stderr.write(`local server: handler failed: ${(error as Error)?.stack ?? error}\n`);
          send(res, jsonError(502, 'server_error', 'Internal server error'));
        });
    });
  };
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  if (res.headersSent) return;
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, String(v));
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) res.setHeader(k, v.map(String));
  res.statusCode = result.statusCode;
  res.end(body);
}

function jsonError(statusCode: number, error: string, description: string, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify({ error, error_description: description }) };
}

interface PathPattern {
  readonly segments: readonly string[];
}

function pathPattern(path: string): PathPattern {
  return { segments: path.split('/').slice(1) };
}

function matchPath(pattern: PathPattern, path: string): Record<string, string> | null | undefined {
  const parts = path.split('/').slice(1);
  if (parts.length !== pattern.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = pattern.segments[i] as string;
    const part = parts[i] as string;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (part === '') return undefined;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    } else if (seg !== part) return undefined;
  }
  return Object.keys(params).length > 0 ? params : null;
}

function lambdaContext(route: Route): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${route.fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${route.fn}`,
    memoryLimitInMB: String(functionGroups[route.fn].memoryMiB),
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/local-${route.fn}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
