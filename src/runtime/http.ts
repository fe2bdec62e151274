// The HTTP transport under client-node's generated API classes: node:https on one keep-alive
// connection pool, instead of node-fetch with a new agent (and a new TLS connection) per call.
// node-fetch 2 also reports false "Premature close" errors on reused keep-alive sockets
// (node-fetch#1767), so pooling needs its own transport. Responses are read whole (API objects).
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { ResponseContext, SelfDecodingBody, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';

/** Hears every answered request: method, URL and HTTP status (0 when the request failed without an answer). */
export type ResponseHook = (method: string, url: string, status: number) => void;

function send(req: RequestContext, onResponse?: ResponseHook): Promise<ResponseContext> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.getUrl());
    const agent = req.getAgent() as HttpAgent | undefined;
    const body = req.getBody() as string | Buffer | undefined;
    const headers: Record<string, string | number> = { ...req.getHeaders() };
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = make(
      url,
      {
        method: req.getHttpMethod().toString(),
        headers,
        agent: agent instanceof HttpsAgent || url.protocol === 'http:' ? agent : undefined,
        signal: req.getSignal(),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          onResponse?.(req.getHttpMethod().toString(), req.getUrl(), res.statusCode ?? 0);
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve(new ResponseContext(res.statusCode ?? 0, out, new SelfDecodingBody(Promise.resolve(Buffer.concat(chunks)))));
        });
      },
    );
    r.on('error', (err) => {
      onResponse?.(req.getHttpMethod().toString(), req.getUrl(), 0);
      reject(err);
    });
    r.end(body);
  });
}

/** The transport; onResponse counts requests (src/runtime/client.ts). */
export const nodeHttp = (onResponse?: ResponseHook): HttpLibrary => wrapHttpLibrary({ send: (req) => send(req, onResponse) });

/**
 * A request as the API server's own metrics name it: verb (get, list, create, update, patch,
 * delete) and resource (plural, with /subresource), from the method and the URL path.
 */
export function requestKind(method: string, url: string): { verb: string; resource: string } {
  const path = new URL(url, 'https://x').pathname.split('/').filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...; then [namespaces/<ns>/]<plural>[/<name>[/<sub>]]
  let rest = path[0] === 'api' ? path.slice(2) : path.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const [plural = '-', name, sub] = rest;
  const m = method.toUpperCase();
  const verb = m === 'GET' ? (name ? 'get' : 'list') : m === 'POST' ? 'create' : m === 'PUT' ? 'update' : m.toLowerCase();
  return { verb, resource: sub ? `${plural}/${sub}` : plural };
}
