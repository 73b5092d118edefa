// A hashrate history card: the chart with a 1 h / 24 h / 7 d switch. It opens on 24 h, or on the last
// hour while the history is too short for the 24 h buckets (a new pool or miner), until one is picked.
import { useState } from 'react';
import { useApi } from '../lib/hooks.ts';
import type { History } from '../lib/types.ts';
import { type ChartSeries, HashrateChart } from './chart.tsx';
import { Async } from './state.tsx';

const RANGES = [
  { value: '1h', label: '1 h', title: 'last hour', seconds: 3600 },
  { value: '24h', label: '24 h', title: 'last 24 hours', seconds: 86_400 },
  { value: '7d', label: '7 d', title: 'last 7 days', seconds: 7 * 86_400 },
] as const;
type Range = (typeof RANGES)[number]['value'];
const MIN_POINTS = 3;

export function HistoryCard<P extends { at: string }>({
  title,
  path,
  series,
  emptyText,
  testId,
}: {
  title: string;
  /** the history route without its query, e.g. /stats/history */
  path: string;
  series: (points: P[]) => ChartSeries[];
  emptyText: string;
  testId: string;
}) {
  const [picked, setPicked] = useState<Range | null>(null);
  const day = useApi<History<P>>(`${path}?range=24h`, ['stats']);
  const young = day.data !== undefined && day.data.points.length < MIN_POINTS;
  const range = picked ?? (young ? '1h' : '24h');
  const other = useApi<History<P>>(range === '24h' ? null : `${path}?range=${range}`, ['stats']);
  const shown = range === '24h' ? day : other;
  const meta = RANGES.find((r) => r.value === range)!;
  return (
    <section className="card" aria-labelledby={`${testId}-title`} data-testid={testId}>
      <div className="card-head">
        <h2 id={`${testId}-title`}>
          {title}, {meta.title}
        </h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Period</legend>
          {RANGES.map((r) => (
            <button
              key={r.value}
              type="button"
              className="chip"
              aria-pressed={r.value === range}
              onClick={() => setPicked(r.value)}
            >
              {r.label}
            </button>
          ))}
        </fieldset>
      </div>
      <Async resource={shown}>
        {(h) =>
          h.points.length === 0 ? (
            <p className="muted">{emptyText}</p>
          ) : (
            <HashrateChart
              label={`${title}, ${meta.title}`}
              spanSeconds={meta.seconds}
              times={h.points.map((p) => Date.parse(p.at) / 1000)}
              series={series(h.points)}
            />
          )
        }
      </Async>
    </section>
  );
}
