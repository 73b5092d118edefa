import type { FastifyInstance } from 'fastify';
import { InvalidAddressError, parseAddress } from '../../ergo/index.ts';
import type { BlockTemplate } from '../blocks.ts';
import { nodeInfo } from '../info.ts';
import { emissionInfo } from '../transactions.ts';
import type { NodeContext } from './context.ts';
import { badRequest, intParam, NodeHttpError, optionalInt, pathParam, sendJson } from './reply.ts';

/** How long GET /mining/candidate?longpoll=<msg> holds a request while the candidate is unchanged. */
export const LONGPOLL_MS = 25_000;

export function workMessage(t: BlockTemplate) {
  return { msg: t.msg, b: t.b, h: t.header.height, pk: t.minerPk };
}

/** /info, /mining/*, /emission/at, /utils/address, /transactions/unconfirmed. */
export function registerNodeRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const { sim, endpoint, control, wallet } = ctx;

  app.get('/info', async (_req, reply) =>
    sendJson(reply, 200, nodeInfo(sim, endpoint.fullHeight(), control.now())),
  );

  app.get('/mining/candidate', async (req, reply) => {
    const longpoll = (req.query as Record<string, unknown>).longpoll;
    if (typeof longpoll === 'string' && longpoll.toLowerCase() === endpoint.candidate().msg) {
      await control.waitForCandidate(endpoint, longpoll.toLowerCase(), LONGPOLL_MS);
    }
    return sendJson(reply, 200, workMessage(endpoint.candidate()));
  });

  app.post('/mining/solution', async (req, reply) => {
    const n = (req.body as Record<string, unknown> | null | undefined)?.n;
    if (typeof n !== 'string' || !/^[0-9a-fA-F]{16}$/.test(n))
      throw badRequest('Attempt to decode value on failed cursor: DownField(n): n must be 8 bytes of hex');
    const result = control.submitSolution(endpoint, n);
    if (!result.accepted) throw new NodeHttpError(500, result.detail ?? null);
    return sendJson(reply, 200, {});
  });

  app.get('/mining/rewardAddress', async (_req, reply) =>
    sendJson(reply, 200, { rewardAddress: wallet.rewardAddress }),
  );
  app.get('/mining/rewardPublicKey', async (_req, reply) =>
    sendJson(reply, 200, { rewardPubkey: endpoint.publicKey }),
  );

  app.get('/emission/at/:height', async (req, reply) => {
    const height = intParam(pathParam(req.params, 'height'), 'height', 0, 0x7fffffff);
    return sendJson(reply, 200, emissionInfo(height));
  });

  const checkAddress = (address: string) => {
    try {
      parseAddress(address, sim.params.network);
      return { address, isValid: true };
    } catch (err) {
      const reason = err instanceof InvalidAddressError ? err.reason : (err as Error).message;
      return { address, isValid: false, error: reason };
    }
  };
  app.get('/utils/address/:address', async (req, reply) =>
    sendJson(reply, 200, checkAddress(pathParam(req.params, 'address'))),
  );
  app.post('/utils/address', async (req, reply) => {
    if (typeof req.body !== 'string') throw badRequest('expected a JSON string with the address');
    return sendJson(reply, 200, checkAddress(req.body));
  });

  app.get('/transactions/unconfirmed', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const offset = optionalInt(q.offset, 'offset') ?? 0;
    const limit = optionalInt(q.limit, 'limit') ?? 50;
    return sendJson(reply, 200, endpoint.mempool().slice(offset, offset + limit));
  });
}
