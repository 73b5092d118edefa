// A time-series chart on canvas (uPlot): hashrate over time, one line per series, sized to its box,
// recoloured when the theme changes.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatHashrate } from '../lib/format.ts';
import { timeRange } from '../lib/series.ts';
import { useTheme } from '../lib/theme.ts';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

const PALETTE_VARS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5', '--chart-6'];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 24-hour UTC ticks; midnight shows the date instead. */
function timeTick(seconds: number): string {
  const d = new Date(seconds * 1000);
  const hh = d.getUTCHours();
  const mm = d.getUTCMinutes();
  if (hh === 0 && mm === 0) return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
}

export function HashrateChart({
  times,
  series,
  label,
  spanSeconds = 86_400,
  height = 220,
}: {
  /** seconds since the epoch, oldest first */
  times: number[];
  series: ChartSeries[];
  label: string;
  /** the period shown, ending now */
  spanSeconds?: number;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();
  const shape = series.map((s) => s.label).join('\u0000');
  const range = useRef<[number, number]>([0, 1]);
  range.current = timeRange(times, Date.now() / 1000, spanSeconds);

  // (Re)build when the theme or the set of series changes; otherwise only the data moves.
  // biome-ignore lint/correctness/useExhaustiveDependencies: data updates go through setData below
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar('--muted');
    const grid = cssVar('--border');
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      // Ticks fall on UTC hours, like every absolute time on the site.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        x: { time: true, range: () => range.current },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      series: [
        { value: (_u, v) => (v == null ? '—' : `${new Date(v * 1000).toISOString().slice(11, 16)} UTC`) },
        ...series.map((s, i) => {
          const color = cssVar(PALETTE_VARS[i % PALETTE_VARS.length]!);
          return {
            label: s.label,
            stroke: color,
            width: i === 0 ? 2 : 1.5,
            fill: i === 0 ? `${color}22` : undefined,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => formatHashrate(v),
          };
        }),
      ],
      axes: [
        {
          stroke: text,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          // Whole minutes at the least, so no two ticks read the same.
          incrs: [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800],
          values: (_u, ticks) => ticks.map(timeTick),
        },
        {
          stroke: text,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          size: 78,
          values: (_u, ticks) => ticks.map((t) => formatHashrate(t)),
        },
      ],
      legend: { live: true },
    };
    const p = new uPlot(options, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.current = p;
    const resize = new ResizeObserver(() => p.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      p.destroy();
      plot.current = null;
    };
  }, [theme, shape, height]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
