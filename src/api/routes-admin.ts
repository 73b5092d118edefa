import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { abandonPayment, ergToNano, PayoutThresholdError, setPayoutThreshold } from '../accounting/index.ts';
import type { ApiContext } from './context.ts';
import { ApiError, badRequest } from './errors.ts';
import { erg } from './format.ts';
import { perPool } from './per-pool.ts';
import { validAddress } from './routes-miner.ts';
import { ErrorSchema } from './schemas.ts';

/**
 * Operator routes under /api/v1/pools/:poolId/admin (the default pool's also under /api/v1/admin), only when
 * `api.adminToken` is configured, and only with `Authorization: Bearer <token>`. Nothing unauthenticated
 * changes state.
 */
export function registerAdminRoutes(app: FastifyInstance, ctx: ApiContext, token: string | undefined): void {
  if (!token) return;
  const expected = Buffer.from(`Bearer ${token}`);
  const authorize = (req: Pick<FastifyRequest, 'headers'>) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new ApiError(401, 'unauthorized', 'an admin route needs Authorization: Bearer <api.adminToken>');
  };
  perPool(
    app,
    ctx,
    '/admin/miners/:address/settings',
    {
      method: 'POST',
      schema: {
        tags: ['admin'],
        summary: 'Set a miner’s payout threshold (operator)',
        params: z.object({ address: z.string().min(1).max(200) }),
        body: z.object({ paymentThreshold: z.string().regex(/^\d+(\.\d{1,9})?$/, 'ERG as decimal text') }),
        response: {
          200: z.object({ address: z.string(), paymentThreshold: z.string() }),
          400: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (req, _reply, p) => {
      authorize(req);
      const address = validAddress(p, req.params.address);
      const nano = ergToNano(req.body.paymentThreshold);
      try {
        await setPayoutThreshold(ctx.db, p.pool.id, address, nano, p.pool.payouts.minimum);
      } catch (err) {
        if (err instanceof PayoutThresholdError) throw badRequest(err.message, 'paymentThreshold');
        throw err;
      }
      ctx.logger.info({ pool: p.pool.id, address, threshold: erg(nano) }, 'admin: payout threshold set');
      return { address, paymentThreshold: erg(nano) };
    },
  );
  perPool(
    app,
    ctx,
    '/admin/payments/:id/abandon',
    {
      method: 'POST',
      schema: {
        tags: ['admin'],
        summary:
          'Abandon a payment in doubt: its amounts go back to the balances and are paid again (operator)',
        description:
          'Only for a payment that can never confirm (its transaction was never made, or was dropped for good): ' +
          'check the explorer first. A payment whose transaction later confirms would be paid twice.',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({ reason: z.string().min(3).max(500) }),
        response: {
          200: z.object({ id: z.number(), status: z.literal('failed'), reason: z.string() }),
          400: ErrorSchema,
          404: ErrorSchema,
          409: ErrorSchema,
        },
      },
    },
    async (req, _reply, p) => {
      authorize(req);
      const id = BigInt(req.params.id);
      const outcome = await abandonPayment(ctx.db, p.pool.id, id, req.body.reason);
      if (!outcome.abandoned)
        throw new ApiError(
          outcome.notFound ? 404 : 409,
          outcome.notFound ? 'not_found' : 'conflict',
          outcome.reason,
        );
      ctx.logger.warn(
        { pool: p.pool.id, payment: String(id), reason: req.body.reason },
        `admin: payment ${id} of pool ${p.pool.id} abandoned`,
      );
      return { id: Number(id), status: 'failed' as const, reason: req.body.reason };
    },
  );
}
