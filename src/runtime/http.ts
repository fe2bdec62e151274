// The HTTP transport under client-node's generated API classes: node:https on one keep-alive
// connection pool, instead of node-fetch with a new agent (and a new TLS connection) per call.
// node-fetch 2 also reports false "Premature close" errors on reused keep-alive sockets
// (node-fetch#1767), so pooling needs its own transport. Responses are read whole (API objects).
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { ResponseContext, SelfDecodingBody, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';

function send(req: RequestContext): Promise<ResponseContext> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.getUrl());
    const agent = req.getAgent() as HttpAgent | undefined;
    const body = req.getBody() as string | Buffer | undefined;
    const headers: Record<string, string | number> = { ...req.getHeaders() };
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = make(url, { method: req.getHttpMethod().toString(), headers, agent: agent instanceof HttpsAgent || url.protocol === 'http:' ? agent : undefined, signal: req.getSignal() }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve(new ResponseContext(res.statusCode ?? 0, out, new SelfDecodingBody(Promise.resolve(Buffer.concat(chunks)))));
      });
    });
    r.on('error', reject);
    r.end(body);
  });
}

export const nodeHttp: HttpLibrary = wrapHttpLibrary({ send });
