// Tables that scroll on a phone, pagers with real links, status badges, progress bars, copy buttons.
import { type ReactNode, useState } from 'react';
import { formatCount } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';

export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  // Focusable so a keyboard user can scroll a wide table sideways on a narrow screen.
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="table-wrap" aria-label={label} tabIndex={0}>
      <table>{children}</table>
    </section>
  );
}

export function Empty({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="empty">
        {children}
      </td>
    </tr>
  );
}

/** Page links (0-based pages in the URL), so every page of a list can be bookmarked. */
export function Pager({
  page,
  pageCount,
  total,
  hrefFor,
}: {
  page: number;
  pageCount: number;
  total: number;
  hrefFor: (page: number) => string;
}) {
  if (pageCount <= 1) return <p className="pager-info">{formatCount(total)} in total</p>;
  return (
    <nav className="pager" aria-label="Pages">
      {page > 0 ? (
        <Link to={hrefFor(page - 1)} rel="prev">
          ← Newer
        </Link>
      ) : (
        <span className="disabled">← Newer</span>
      )}
      <span className="pager-info">
        page {page + 1} of {formatCount(pageCount)} · {formatCount(total)} in total
      </span>
      {page + 1 < pageCount ? (
        <Link to={hrefFor(page + 1)} rel="next">
          Older →
        </Link>
      ) : (
        <span className="disabled">Older →</span>
      )}
    </nav>
  );
}

const STATUS_TEXT: Record<string, string> = {
  pending: 'pending',
  confirmed: 'confirmed',
  orphaned: 'orphaned',
  planned: 'planned',
  in_flight: 'sending',
  sent: 'sent',
  failed: 'failed',
  online: 'online',
  offline: 'offline',
};

export function Badge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{STATUS_TEXT[status] ?? status}</span>;
}

export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(1, value)) * 100;
  return (
    <span
      className="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
      aria-label={label}
      title={label}
    >
      <span className="progress-fill" style={{ width: `${pct}%` }} />
    </span>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Not a secure context (plain http on a public host): the old way still works.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    setState((await copyText(text)) ? 'copied' : 'failed');
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" className="button small" onClick={copy} aria-label={`Copy ${label}`}>
      {state === 'copied' ? 'Copied ✓' : state === 'failed' ? 'Select and copy' : 'Copy'}
    </button>
  );
}

export function CodeBlock({ text, label }: { text: string; label: string }) {
  return (
    <div className="code">
      <pre>
        <code>{text}</code>
      </pre>
      <CopyButton text={text} label={label} />
    </div>
  );
}

export function StatCard({
  label,
  children,
  hint,
}: {
  label: string;
  children: ReactNode;
  hint?: ReactNode;
}) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{children}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}
