import { createServer } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { parseNodeJson } from '../../ergo/index.ts';
import type { RequestHandler } from '../endpoint.ts';
import type { NodeContext } from './context.ts';
import { NOT_FOUND_DETAIL, NodeHttpError, sendError } from './reply.ts';
import { registerAdminRoutes } from './routes-admin.ts';
import { registerBlockRoutes } from './routes-blocks.ts';
import { registerNodeRoutes } from './routes-node.ts';
import { registerWalletRoutes } from './routes-wallet.ts';

/**
 * One node endpoint's Fastify app. It never listens itself: the endpoint owns the socket (so 'down' can
 * close it and re-listen on the same port) and feeds requests to the returned handler.
 */
export async function createNodeApp(
  ctx: NodeContext,
): Promise<{ app: FastifyInstance; handler: RequestHandler }> {
  let handler: RequestHandler | null = null;
  const app = Fastify({
    logger: false,
    bodyLimit: 4 * 1024 * 1024,
    serverFactory: (h) => {
      handler = h;
      return createServer(h);
    },
  });

  // The node reads every body as JSON with exact big integers, whatever the content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseNodeJson(text));
    } catch (err) {
      done(
        new NodeHttpError(400, `The request content was malformed:\n${(err as Error).message}`),
        undefined,
      );
    }
  });

  app.addHook('onRequest', async (req) => ctx.endpoint.beforeRequest(req.url, req.raw.socket));

  app.setErrorHandler((err: FastifyError | NodeHttpError, _req, reply) => {
    if (err instanceof NodeHttpError) return sendError(reply, err);
    const status = (err as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return sendError(reply, new NodeHttpError(400, err.message));
    return sendError(reply, new NodeHttpError(500, err.message));
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, new NodeHttpError(404, NOT_FOUND_DETAIL)));

  registerNodeRoutes(app, ctx);
  registerBlockRoutes(app, ctx);
  registerWalletRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  await app.ready();
  if (!handler) throw new Error('Fastify did not hand over its request handler');
  return { app, handler };
}
