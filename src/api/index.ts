/**
 * The pool's faces to the outside: the HTTP API (/api/v1, miningcore's routes, websockets, /metrics, the
 * website's files), the event bus that feeds the live feeds, and notifications (webhooks).
 */
export {
  DEPLOYMENT_EVENTS,
  type EventBus,
  LocalEventBus,
  type PoolEvent,
  type PoolEventType,
  poolOfEvent,
  RedisEventBus,
} from './bus.ts';
export { type ApiContext, defaultPool, type PoolApi, type PoolDescription, poolById } from './context.ts';
export {
  type MetricSources,
  type PoolFiguresSource,
  type PoolMetrics,
  registerPoolMetrics,
} from './metrics.ts';
export { describeEvent, EventNotifier, type EventNotifierOptions } from './notifier.ts';
export {
  type ApiServer,
  type ApiServerOptions,
  buildApiServer,
  startApiServer,
  startMetricsServer,
} from './server.ts';
export { blockJson, paymentJson, statsJson } from './shapes.ts';
export {
  WEBHOOK_EVENT_TYPES,
  WebhookSender,
  type WebhookSenderOptions,
  type WebhookTarget,
} from './webhooks.ts';
