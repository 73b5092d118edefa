import type { FastifyInstance, FastifyReply } from 'fastify';
import { DEFAULT_FEE } from '../transactions.ts';
import type { WalletResult } from '../wallet-service.ts';
import type { NodeContext } from './context.ts';
import { badRequest, NodeHttpError, notFound, optionalInt, sendJson } from './reply.ts';

/** /wallet/* — the node wallet of the pool key; every route needs the api_key header. */
export function registerWalletRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const { wallet } = ctx;

  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/wallet/')) return;
    if (req.headers.api_key !== ctx.apiKey) throw new NodeHttpError(403, 'Provided `api_key` is not correct');
  });

  app.get('/wallet/status', async (_req, reply) => sendJson(reply, 200, wallet.status()));

  app.post('/wallet/unlock', async (req, reply) => {
    const pass = (req.body as Record<string, unknown> | null | undefined)?.pass;
    if (typeof pass !== 'string')
      throw badRequest('Attempt to decode value on failed cursor: DownField(pass)');
    wallet.setUnlocked(true);
    return sendJson(reply, 200, {});
  });

  app.get('/wallet/lock', async (_req, reply) => {
    wallet.setUnlocked(false);
    return sendJson(reply, 200, {});
  });

  app.get('/wallet/balances', async (_req, reply) => sendJson(reply, 200, wallet.balances()));

  app.get('/wallet/addresses', async (_req, reply) => sendJson(reply, 200, [wallet.address]));

  app.get('/wallet/transactionById', async (req, reply) => {
    const id = (req.query as Record<string, unknown>).id;
    if (typeof id !== 'string' || id === '') throw badRequest('query parameter id is required');
    const tx = wallet.transactionById(id);
    if (!tx) throw notFound(`Transaction with id ${id} not found in wallet`);
    return sendJson(reply, 200, tx);
  });

  app.get('/wallet/transactions', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    return sendJson(
      reply,
      200,
      wallet.transactions({
        minInclusionHeight: optionalInt(q.minInclusionHeight, 'minInclusionHeight'),
        maxInclusionHeight: optionalInt(q.maxInclusionHeight, 'maxInclusionHeight'),
        minConfirmations: optionalInt(q.minConfirmations, 'minConfirmations'),
        maxConfirmations: optionalInt(q.maxConfirmations, 'maxConfirmations'),
      }),
    );
  });

  const answer = (reply: FastifyReply, result: WalletResult<string>) => {
    if (!result.ok) throw badRequest(result.detail);
    return sendJson(reply, 200, result.value);
  };

  app.post('/wallet/payment/send', async (req, reply) => answer(reply, wallet.send(req.body, DEFAULT_FEE)));

  app.post('/wallet/transaction/send', async (req, reply) => {
    const body = req.body as Record<string, unknown> | null | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('expected a JSON object {"requests": [...], "fee": ...}');
    const { requests, fee, inputsRaw, dataInputsRaw } = body;
    for (const [name, raw] of [
      ['inputsRaw', inputsRaw],
      ['dataInputsRaw', dataInputsRaw],
    ] as const) {
      if (Array.isArray(raw) && raw.length > 0) throw badRequest(`${name} are not supported by this node`);
    }
    let feeValue = 0n;
    if (fee !== undefined && fee !== null) {
      const f = typeof fee === 'number' && Number.isSafeInteger(fee) ? BigInt(fee) : fee;
      if (typeof f !== 'bigint' || f < 0n) throw badRequest('fee must be a whole number of nanoERG');
      feeValue = f;
    }
    return answer(reply, wallet.send(requests, feeValue));
  });
}
