/**
 * Serves @lodestar/api route definitions (the standard Beacon API's paths, codecs and schemas) over plain
 * node:http, the way Lodestar's own fastify adapter does: path/query/header parsing with the route's schema,
 * JSON or SSZ bodies, `{data, ...meta}` responses plus meta headers (Eth-Consensus-Version …), and errors as
 * `{code, message}` (with `failures` for pool submissions), as ethereum/beacon-APIs specifies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The parts of an @lodestar/api RouteDefinition this adapter uses (the type itself is not exported). */
export interface RouteDefinition {
  url: string;
  method: 'GET' | 'POST' | 'DELETE';
  req: { schema: unknown };
  resp: {
    isEmpty?: true;
    onlySupport?: string;
    data: { toJson(data: never, meta: never): unknown; serialize(data: never, meta: never): Uint8Array };
    meta: { toJson(meta: never): unknown; toHeadersObject(meta: never): Record<string, string> };
    transform?: { toResponse(data: unknown, meta: unknown): unknown };
  };
}

/** An error the API answers with its status and `{code, message, failures?}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly failures?: { index: number; message: string }[],
  ) {
    super(message);
  }
}

export type AnyMethod = (args: unknown, context?: { returnBytes?: boolean }) => Promise<{ data?: unknown; meta?: unknown; status?: number } | void>;

interface Route {
  operationId: string;
  def: RouteDefinition;
  method: AnyMethod;
  regex: RegExp;
  paramNames: string[];
}

/** Schema enum values of @lodestar/api (utils/schema.ts), by name. */
const S = {
  Uint: 0, UintRequired: 1, UintArray: 2, String: 3, StringRequired: 4, StringArray: 5, StringArrayRequired: 6,
  UintOrStringRequired: 7, UintOrStringArray: 8, Object: 9, ObjectArray: 10, AnyArray: 11, Boolean: 12, BooleanRequired: 13,
} as const;
const REQUIRED = new Set<number>([S.UintRequired, S.StringRequired, S.UintOrStringRequired, S.StringArrayRequired, S.BooleanRequired]);
const ARRAYS = new Set<number>([S.UintArray, S.StringArray, S.StringArrayRequired, S.UintOrStringArray]);

function coerce(name: string, schema: number, raw: string[] | undefined, where: string): unknown {
  if (raw === undefined || raw.length === 0) {
    if (REQUIRED.has(schema)) throw new HttpError(400, `${where} must have required property '${name}'`);
    return undefined;
  }
  const asUint = (v: string) => {
    if (!/^\d+$/.test(v)) throw new HttpError(400, `${where}/${name} must be integer, got "${v}"`);
    return Number(v);
  };
  switch (schema) {
    case S.Uint:
    case S.UintRequired:
      return asUint(raw[0]!);
    case S.UintArray:
      return raw.map(asUint);
    case S.Boolean:
    case S.BooleanRequired:
      if (raw[0] !== 'true' && raw[0] !== 'false') throw new HttpError(400, `${where}/${name} must be boolean`);
      return raw[0] === 'true';
    case S.UintOrStringRequired:
      return raw[0];
    default:
      return ARRAYS.has(schema) ? raw : raw[0];
  }
}

export class BeaconApiRouter {
  private routes: Route[] = [];
  private rawRoutes: { method: string; path: string; handler: (req: IncomingMessage, res: ServerResponse) => void }[] = [];

  /** A route answered by hand (e.g. the SSE stream), before the definitions. */
  raw(method: string, path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
    this.rawRoutes.push({ method, path, handler });
  }

  /** Registers every definition for which `methods` has an implementation. */
  register(defs: Record<string, unknown>, methods: Record<string, AnyMethod | undefined>): void {
    for (const [operationId, d] of Object.entries(defs)) {
      const def = d as RouteDefinition;
      const method = methods[operationId];
      if (!method) continue;
      const paramNames: string[] = [];
      const pattern = def.url.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m: string, n: string) => {
        paramNames.push(n);
        return '([^/]+)';
      });
      this.routes.push({ operationId, def, method, regex: new RegExp(`^${pattern}$`), paramNames });
    }
  }

  get operationIds(): string[] {
    return this.routes.map((r) => r.operationId);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.dispatch(req, res);
    } catch (e) {
      const err = e instanceof HttpError ? e : toHttpError(e);
      if (res.headersSent) return void res.end();
      const body: Record<string, unknown> = { code: err.status, message: err.message };
      if (err.failures) body.failures = err.failures;
      res.writeHead(err.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const raw = this.rawRoutes.find((r) => r.path === path && r.method === req.method);
    if (raw) return raw.handler(req, res);
    let route: Route | undefined;
    let m: RegExpExecArray | null = null;
    let pathMatched = false;
    for (const r of this.routes) {
      m = r.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.def.method === req.method) {
        route = r;
        break;
      }
    }
    if (!route || !m) throw new HttpError(pathMatched ? 405 : 404, `Route ${req.method}:${path} not found`);
    const def = route.def;
    const schema = def.req.schema as { params?: Record<string, number>; query?: Record<string, number>; headers?: Record<string, number>; body?: number };

    const params: Record<string, unknown> = {};
    route.paramNames.forEach((n, i) => {
      params[n] = coerce(n, schema.params?.[n] ?? S.String, [decodeURIComponent(m![i + 1]!)], 'params');
    });
    const query: Record<string, unknown> = {};
    for (const [name, sch] of Object.entries(schema.query ?? {})) {
      const values = url.searchParams.getAll(name).flatMap((v) => (ARRAYS.has(sch) ? v.split(',') : [v])).filter((v) => v !== '');
      const val = coerce(name, sch, values.length ? values : undefined, 'querystring');
      if (val !== undefined) query[name] = val;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    for (const [name, sch] of Object.entries(schema.headers ?? {})) coerce(name, sch, headers[name.toLowerCase()] ? [headers[name.toLowerCase()]!] : undefined, 'headers');

    const rawBody = await readBody(req);
    const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    const hasBody = def.method !== 'GET' && schema.body !== undefined;
    let args: unknown;
    try {
      if (!hasBody) {
        args = (def.req as unknown as { parseReq(r: unknown): unknown }).parseReq({ params, query, headers });
      } else if (contentType === 'application/octet-stream') {
        args = (def.req as unknown as { parseReqSsz(r: unknown): unknown }).parseReqSsz({ params, query, headers, body: new Uint8Array(rawBody) });
      } else if (contentType === 'application/json') {
        let body: unknown;
        try {
          body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
        } catch {
          throw new HttpError(400, 'body is not valid JSON');
        }
        if (schema.body === S.ObjectArray || schema.body === S.AnyArray || schema.body === S.UintOrStringArray) {
          if (!Array.isArray(body)) throw new HttpError(400, 'body must be array');
        } else if (schema.body === S.Object && (typeof body !== 'object' || body === null || Array.isArray(body))) {
          throw new HttpError(400, 'body must be object');
        }
        args = (def.req as unknown as { parseReqJson(r: unknown): unknown }).parseReqJson({ params, query, headers, body });
      } else {
        throw new HttpError(415, `Unsupported media type: ${contentType}`);
      }
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, (e as Error).message);
    }

    const wantSsz = !def.resp.isEmpty && (req.headers.accept ?? '').includes('application/octet-stream') && def.resp.onlySupport !== 'json';
    const out = (await route.method(args, { returnBytes: false })) ?? {};
    const status = out.status ?? 200;
    if (def.resp.isEmpty || status === 204) {
      res.writeHead(status);
      return void res.end();
    }
    const metaHeaders = def.resp.meta.toHeadersObject(out.meta as never);
    if (wantSsz) {
      const bytes = def.resp.data.serialize(out.data as never, out.meta as never);
      res.writeHead(status, { ...metaHeaders, 'content-type': 'application/octet-stream' });
      return void res.end(Buffer.from(bytes));
    }
    const data = def.resp.data.toJson(out.data as never, out.meta as never);
    const metaJson = def.resp.meta.toJson(out.meta as never);
    const body = def.resp.transform ? def.resp.transform.toResponse(data, metaJson) : { data, ...(metaJson as object) };
    res.writeHead(status, { ...metaHeaders, 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  /** Starts a node:http server on `host:port` (0 = any free port). */
  listen(port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => void this.handle(req, res));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const a = server.address() as AddressInfo;
        resolve({ server, url: `http://${host}:${a.port}` });
      });
    });
  }
}

function toHttpError(e: unknown): HttpError {
  if (e && typeof e === 'object' && 'status' in e && typeof (e as { status: unknown }).status === 'number') {
    return new HttpError((e as { status: number }).status, (e as unknown as Error).message);
  }
  return new HttpError(500, `internal error: ${(e as Error)?.message ?? String(e)}`);
}

const MAX_BODY = 16 * 1024 * 1024;
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        reject(new HttpError(413, `body larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
