// Pure: which data a live event makes stale. Pages refetch what they show when one of its topics fires.
import type { LiveEvent } from './types.ts';

export type Topic = 'stats' | 'blocks' | 'payments' | 'miners' | 'network' | 'pool';

export function topicsFor(event: Pick<LiveEvent, 'type'>): Topic[] {
  switch (event.type) {
    case 'stats':
      // The stats job has written new figures: every hashrate, worker and balance may have moved.
      return ['stats', 'miners', 'network'];
    case 'block.found':
    case 'block.confirmed':
    case 'block.orphaned':
    case 'block.progress':
      return ['blocks', 'stats', 'miners'];
    case 'payment.sent':
    case 'payment.failed':
    case 'payment.confirmed':
      return ['payments', 'miners'];
    case 'height':
      return ['network', 'blocks'];
    case 'node.down':
    case 'node.up':
      return ['pool'];
    default:
      return [];
  }
}
