import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifyEtag from '@fastify/etag';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { type ApiContext, defaultPool } from './context.ts';
import { ApiError } from './errors.ts';
import { registerAdminRoutes } from './routes-admin.ts';
import { registerMinerRoutes } from './routes-miner.ts';
import { registerMiningcoreRoutes } from './routes-miningcore.ts';
import { registerPoolRoutes } from './routes-v1.ts';
import { registerWebsockets } from './ws.ts';

export interface ApiServerOptions {
  /** Every pool served (the default first) and what they share. */
  ctx: ApiContext;
  host: string;
  port: number;
  /** Proxies whose X-Forwarded-For is believed: true, or their addresses. */
  trustProxy: boolean | string[];
  /** Requests per client address per minute; `allow`: addresses never limited. */
  rateLimit: { max: number; allow: string[] };
  metrics: { enabled: boolean; port?: number; allow: string[] };
  adminToken?: string;
  /** The website's built files (index.html …); null: no website. */
  webDir: string | null;
  maxWebsocketClients?: number;
}

export interface ApiServer {
  app: FastifyInstance;
  /** http://host:port of the API (and of /metrics, unless it has a port of its own). */
  url: string;
  metricsUrl: string | null;
  close(): Promise<void>;
}

/** Paths that are the API's own; anything else is the website (bookmarkable URLs fall back to index.html). */
const API_PATHS = /^\/(api|metrics|notifications|health)(\/|$|\?)/;

/**
 * The HTTP API: /api/v1 (ours), miningcore's routes, the websockets, /metrics and the website, behind
 * compression, ETags, CORS for GET, a per-address rate limit and small body limits. Every error is a JSON
 * body with the right status; nothing here changes state without the admin token.
 */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const app = buildApiServer(o);
  await app.listen({ host: o.host, port: o.port });
  let metricsApp: FastifyInstance | null = null;
  if (o.metrics.enabled && o.metrics.port !== undefined) {
    metricsApp = Fastify({ logger: false, trustProxy: o.trustProxy });
    registerMetricsRoute(metricsApp, o);
    try {
      await metricsApp.listen({ host: o.host, port: o.metrics.port });
    } catch (err) {
      await app.close();
      throw err;
    }
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const url = `http://${hostForUrl(o.host)}:${port}`;
  const metricsAddress = metricsApp?.server.address();
  const metricsUrl = !o.metrics.enabled
    ? null
    : metricsApp && typeof metricsAddress === 'object' && metricsAddress
      ? `http://${hostForUrl(o.host)}:${metricsAddress.port}/metrics`
      : `${url}/metrics`;
  return {
    app,
    url,
    metricsUrl,
    async close() {
      await Promise.all([app.close(), metricsApp?.close()]);
    },
  };
}

/**
 * /metrics alone, for the processes of a cluster that serve no API (roles stratum and accounting), so that
 * Prometheus scrapes every instance.
 */
export async function startMetricsServer(o: {
  host: string;
  port: number;
  allow: string[];
  registry: Registry;
}): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  const allow = new Set(o.allow.map((a) => (a.startsWith('::ffff:') ? a.slice(7) : a)));
  app.get('/metrics', async (req, reply) => {
    const ip = req.ip.startsWith('::ffff:') ? req.ip.slice(7) : req.ip;
    if (!allow.has(ip))
      return reply.code(403).send({ error: 'forbidden', message: `metrics are not served to ${ip}` });
    reply.header('content-type', o.registry.contentType).header('cache-control', 'no-store');
    return o.registry.metrics();
  });
  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  return { url: `http://${hostForUrl(o.host)}:${port}/metrics`, close: () => app.close() };
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function buildApiServer(o: ApiServerOptions): FastifyInstance {
  const ctx = o.ctx;
  const app = Fastify({
    logger: false,
    trustProxy: o.trustProxy,
    bodyLimit: 16 * 1024,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    // Ctrl-C must not wait for browsers' keep-alive connections (or open websockets) to go away.
    forceCloseConnections: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, req, reply) => replyError(err, req, reply, ctx));
  app.setNotFoundHandler((req, reply) => notFoundOrWebsite(req, reply, o.webDir));
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1/docs')) return;
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push(`${method} -> ${route.url}`);
  });

  void app.register(fastifyCompress, { global: true, threshold: 1024 });
  void app.register(fastifyEtag);
  void app.register(fastifyCors, { origin: '*', methods: ['GET', 'HEAD'] });
  void app.register(fastifyRateLimit, {
    global: true,
    max: o.rateLimit.max,
    timeWindow: 60_000,
    allowList: o.rateLimit.allow,
    cache: 100_000,
    errorResponseBuilder: (_req, context) =>
      new ApiError(
        429,
        'rate_limited',
        `more than ${context.max} requests a minute; retry in ${context.after}`,
      ),
  });
  void app.register(fastifyWebsocket, { options: { maxPayload: 4096 } });
  void app.register(fastifySwagger, {
    openapi: {
      info: {
        title: `${defaultPool(ctx).pool.name} API`,
        description:
          'The pool’s own API. ERG amounts are exact decimal strings, hashrates H/s, times ISO-8601 UTC. ' +
          'Every pool of the deployment (GET /api/v1/pools) has its routes under /api/v1/pools/{poolId}/…; ' +
          'the default pool’s are also served without the prefix (/api/v1/stats …). ' +
          'miningcore-compatible routes (/api/pools…) are served too, with miningcore’s shapes.',
        version: '1',
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  void app.register(fastifySwaggerUi, { routePrefix: '/api/v1/docs' });
  void app.register(async (scope) => {
    scope.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    registerPoolRoutes(scope, ctx);
    registerMinerRoutes(scope, ctx);
    registerMiningcoreRoutes(scope, ctx, routes);
    registerAdminRoutes(scope, ctx, o.adminToken);
    registerWebsockets(scope, ctx, { maxClients: o.maxWebsocketClients ?? 2000 });
    if (o.metrics.enabled && o.metrics.port === undefined) registerMetricsRoute(scope, o);
  });
  if (o.webDir && existsSync(join(o.webDir, 'index.html')))
    void app.register(fastifyStatic, {
      root: o.webDir,
      // Looked up per request: a site rebuilt while the pool runs is served at once.
      wildcard: true,
      index: 'index.html',
      preCompressed: true,
      cacheControl: false,
      setHeaders: (res, path) =>
        res.setHeader('cache-control', staticCacheControl(path.slice(o.webDir!.length).replace(/^\/+/, ''))),
    });
  return app;
}

/**
 * The build's hashed assets never change: a year, immutable. Everything else (index.html, config.js, the
 * favicon) must be revalidated, or a browser keeps an index.html naming assets an upgrade removed.
 */
export function staticCacheControl(relativePath: string): string {
  return relativePath.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

function registerMetricsRoute(app: FastifyInstance, o: ApiServerOptions): void {
  const allow = new Set(o.metrics.allow.map((a) => (a.startsWith('::ffff:') ? a.slice(7) : a)));
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (req, reply) => {
    const ip = req.ip.startsWith('::ffff:') ? req.ip.slice(7) : req.ip;
    if (!allow.has(ip)) throw new ApiError(403, 'forbidden', `metrics are not served to ${ip}`);
    const registry = o.ctx.metrics;
    if (!registry) throw new ApiError(404, 'not_found', 'no metrics in this process');
    reply.header('content-type', registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
}

let lastLoggedFailure = Number.NEGATIVE_INFINITY;

function replyError(err: unknown, req: FastifyRequest, reply: FastifyReply, ctx: ApiContext) {
  if (err instanceof ApiError) return reply.code(err.status).send(err.body);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issue = err.validation[0];
    const field = issue?.instancePath?.replace(/^\//, '').split('/')[0] || undefined;
    const where = (err as { validationContext?: string }).validationContext ?? 'request';
    return reply.code(400).send({
      error: 'bad_request',
      message: `${where}${field ? ` ${field}` : ''}: ${issue?.message ?? 'invalid'}`,
      ...(field ? { field } : {}),
    });
  }
  const e = err as { statusCode?: number; message?: string; code?: string };
  const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  if (status >= 500 && ctx.now() - lastLoggedFailure > 10_000) {
    // At most one line every 10 s: a database outage fails every request the same way.
    lastLoggedFailure = ctx.now();
    ctx.logger.error({ err, url: req.url }, `api request failed: ${e.message ?? err}`);
  }
  return reply.code(status).send({
    error: status === 500 ? 'internal' : (e.code ?? 'error').toLowerCase(),
    message: status === 500 ? 'internal error (logged)' : (e.message ?? 'error'),
  });
}

async function notFoundOrWebsite(req: FastifyRequest, reply: FastifyReply, webDir: string | null) {
  const path = req.url;
  if (!API_PATHS.test(path) && (req.method === 'GET' || req.method === 'HEAD')) {
    if (webDir && existsSync(join(webDir, 'index.html')))
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    return reply
      .code(404)
      .send({ error: 'not_found', message: 'the website is not built here (npm run build:web builds it)' });
  }
  return reply
    .code(404)
    .send({ error: 'not_found', message: `no route ${req.method} ${path.split('?')[0]}` });
}
