/**
 * The operations HTTP server (Hono on @hono/node-server): `/health` (the process is up), `/readiness` (beacon node
 * synced and at least t−1 peers connected: the node can do its share of duties), `/metrics` (Prometheus) and
 * `/cluster` (status JSON).
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { NodeMetrics } from './metrics.ts';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail: string }>;
}

export interface OpsSources {
  metrics: NodeMetrics;
  readiness(): Promise<ReadinessReport>;
  status(): Promise<unknown>;
}

export function opsApp(src: OpsSources): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/readiness', async (c) => {
    const r = await src.readiness();
    return c.json(r, r.ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', src.metrics.registry.contentType);
    return c.body(await src.metrics.text());
  });
  app.get('/cluster', async (c) => c.json((await src.status()) as object));
  app.notFound((c) => c.json({ error: `no route ${c.req.path}; try /health, /readiness, /metrics, /cluster` }, 404));
  return app;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

export function startOpsServer(src: OpsSources, port: number, host = '127.0.0.1'): Promise<OpsServer> {
  const app = opsApp(src);
  return new Promise((resolve, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
        resolve({
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise<void>((r) => {
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
              server.close(() => r());
            }),
        });
      });
      server.on('error', reject);
    } catch (e) {
      reject(e);
    }
  });
}
