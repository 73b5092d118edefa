import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ApiContext, defaultPool, type PoolApi, poolById } from './context.ts';

/** Where a pool's own routes live: `/api/v1/pools/solo/stats`; the default pool's are also at `/api/v1/stats`. */
export const POOL_PREFIX = '/api/v1/pools/:poolId';

export const poolIdParam = z
  .string()
  .min(1)
  .max(64)
  .describe('a pool id (GET /api/v1/pools lists them; 404 for an unknown one)');

const NO_PARAMS = z.object({});

type Request<P extends z.ZodObject, Q extends z.ZodType, B extends z.ZodType> = Omit<
  FastifyRequest,
  'params' | 'query' | 'body'
> & { params: z.output<P>; query: z.output<Q>; body: z.output<B> };

export interface PerPoolRoute<P extends z.ZodObject, Q extends z.ZodType, B extends z.ZodType> {
  method?: 'GET' | 'POST';
  schema: {
    tags: string[];
    summary: string;
    description?: string;
    params?: P;
    querystring?: Q;
    body?: B;
    response: Record<number, z.ZodType>;
  };
  config?: FastifyContextConfig;
}

/**
 * One route of a pool, registered twice with one handler: under `/api/v1/pools/:poolId` for any pool (an
 * unknown id is a 404) and unprefixed for the default pool, so the URLs of a single-pool deployment keep
 * working. Both are in the OpenAPI document. `path` is the rest: `/stats`, `/miners/:address`.
 */
export function perPool<
  P extends z.ZodObject = typeof NO_PARAMS,
  Q extends z.ZodType = typeof NO_PARAMS,
  B extends z.ZodType = z.ZodUndefined,
>(
  app: FastifyInstance,
  ctx: ApiContext,
  path: string,
  route: PerPoolRoute<P, Q, B>,
  handler: (req: Request<P, Q, B>, reply: FastifyReply, pool: PoolApi) => Promise<unknown>,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const params = (route.schema.params ?? NO_PARAMS) as z.ZodObject;
  for (const prefixed of [false, true]) {
    r.route({
      method: route.method ?? 'GET',
      url: prefixed ? `${POOL_PREFIX}${path}` : `/api/v1${path}`,
      schema: {
        ...route.schema,
        ...(prefixed
          ? { params: params.extend({ poolId: poolIdParam }) }
          : route.schema.params
            ? { params: route.schema.params }
            : {}),
        ...(prefixed ? { tags: [...route.schema.tags, 'pools'] } : {}),
      },
      ...(route.config ? { config: route.config } : {}),
      handler: async (req, reply) => {
        const pool = prefixed ? poolById(ctx, (req.params as { poolId: string }).poolId) : defaultPool(ctx);
        return handler(req as unknown as Request<P, Q, B>, reply, pool);
      },
    });
  }
}
