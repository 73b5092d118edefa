import type { FastifyInstance } from 'fastify';
import { ChainError } from '../chain.ts';
import { parseFault } from '../endpoint.ts';
import type { NodeContext } from './context.ts';
import { badRequest, sendJson } from './reply.ts';

/** /devnet/* — test-harness controls, served on every node port (not subject to stalled/slow faults). */
export function registerAdminRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const { control, endpoint } = ctx;

  app.post('/devnet/fault', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const node = body.node ?? endpoint.index;
    if (typeof node !== 'number' || !Number.isInteger(node) || node < 0 || node >= control.nodeCount())
      throw badRequest(`node must be between 0 and ${control.nodeCount() - 1}`);
    let fault: ReturnType<typeof parseFault>;
    try {
      fault = parseFault(body);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    if (node === endpoint.index && fault.mode === 'down') {
      // Answer first: going down cuts this very connection.
      reply.raw.once('finish', () => void control.setFault(node, fault).catch(() => {}));
    } else {
      await control.setFault(node, fault);
    }
    return sendJson(reply, 200, { node, fault });
  });

  app.post('/devnet/competitor-block', async (_req, reply) => {
    const block = control.mineCompetitorBlock();
    return sendJson(reply, 200, { height: block.header.height, id: block.header.id });
  });

  app.post('/devnet/reorg', async (req, reply) => {
    const fromHeight = (req.body as Record<string, unknown> | null | undefined)?.fromHeight;
    if (typeof fromHeight !== 'number') throw badRequest('fromHeight must be a number');
    try {
      const fork = control.reorg(fromHeight);
      return sendJson(reply, 200, { height: fork.at(-1)!.header.height, ids: fork.map((b) => b.header.id) });
    } catch (err) {
      if (err instanceof ChainError) throw badRequest(err.message);
      throw err;
    }
  });

  app.post('/devnet/mempool-tx', async (_req, reply) => {
    control.addMempoolTransaction();
    return sendJson(reply, 200, { unconfirmedCount: ctx.sim.mempool.length, msg: ctx.sim.current.msg });
  });

  app.post('/devnet/mempool-drop', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { txId, node } = body;
    if (typeof txId !== 'string' || !/^[0-9a-fA-F]{64}$/.test(txId))
      throw badRequest('txId must be 32 bytes of hex');
    if (
      node !== undefined &&
      (typeof node !== 'number' || !Number.isInteger(node) || node < 0 || node >= control.nodeCount())
    )
      throw badRequest(`node must be between 0 and ${control.nodeCount() - 1}`);
    const dropped = control.dropMempoolTransaction(txId, node as number | undefined);
    return sendJson(reply, 200, { dropped, unconfirmedCount: ctx.sim.mempool.length });
  });

  app.get('/devnet/state', async (_req, reply) => sendJson(reply, 200, control.state()));
}
