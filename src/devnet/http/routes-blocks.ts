import type { FastifyInstance } from 'fastify';
import { fullBlockJson, type StoredBlock, transactionsSize } from '../blocks.ts';
import type { NodeContext } from './context.ts';
import { intParam, NOT_FOUND_DETAIL, notFound, optionalInt, pathParam, sendJson } from './reply.ts';

const MAX_LAST_HEADERS = 2048;

/** /blocks/* — best-chain ids first at each height, orphans after; full blocks past an out-of-sync node's full height are unknown. */
export function registerBlockRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const { sim, endpoint } = ctx;
  const chain = sim.chain;

  /** A block this node has in full (headers of blocks past its full height are known, bodies are not). */
  const fullBlock = (id: string): StoredBlock => {
    const block = /^[0-9a-fA-F]{64}$/.test(id) ? chain.get(id) : undefined;
    if (!block || block.header.height > endpoint.fullHeight()) throw notFound(NOT_FOUND_DETAIL);
    return block;
  };

  /** Best-chain header ids at heights offset .. offset + limit − 1 (the node's paging of /blocks). */
  app.get('/blocks', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const offset = optionalInt(q.offset, 'offset') ?? 0;
    const limit = Math.min(optionalInt(q.limit, 'limit') ?? 50, MAX_LAST_HEADERS);
    const ids: string[] = [];
    for (let h = Math.max(offset, chain.lowest); h < offset + limit && h <= chain.height; h++) {
      ids.push(chain.bestAt(h)!.header.id);
    }
    return sendJson(reply, 200, ids);
  });

  app.get('/blocks/at/:height', async (req, reply) => {
    const height = intParam(pathParam(req.params, 'height'), 'height', 0, 0x7fffffff);
    return sendJson(reply, 200, chain.idsAt(height));
  });

  app.get('/blocks/lastHeaders/:n', async (req, reply) => {
    const n = intParam(pathParam(req.params, 'n'), 'count', 0, MAX_LAST_HEADERS);
    return sendJson(reply, 200, chain.lastHeaders(n));
  });

  app.get('/blocks/:id', async (req, reply) =>
    sendJson(reply, 200, fullBlockJson(fullBlock(pathParam(req.params, 'id')))),
  );

  app.get('/blocks/:id/header', async (req, reply) => {
    const id = pathParam(req.params, 'id');
    const block = /^[0-9a-fA-F]{64}$/.test(id) ? chain.get(id) : undefined;
    if (!block) throw notFound(NOT_FOUND_DETAIL);
    return sendJson(reply, 200, block.header);
  });

  app.get('/blocks/:id/transactions', async (req, reply) => {
    const block = fullBlock(pathParam(req.params, 'id'));
    return sendJson(reply, 200, {
      headerId: block.header.id,
      transactions: block.transactions,
      blockVersion: block.header.version,
      size: transactionsSize(block),
    });
  });
}
