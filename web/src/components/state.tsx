// Loading and error states: every piece of data on the site goes through <Async>, so none of it can
// leave an empty box or a blank page.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import type { ApiError } from '../lib/api.ts';
import type { Resource } from '../lib/hooks.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorBox({ error, retry }: { error: ApiError | Error; retry?: () => void }) {
  const message =
    'unreachable' in error && error.unreachable ? 'The pool’s API is not answering.' : error.message;
  return (
    <div className="error-box" role="alert">
      <span>{message}</span>
      {retry && (
        <button type="button" className="button small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders `children(data)`; the spinner until the first answer; an error with a retry if it fails. */
export function Async<T>({
  resource,
  children,
  loadingLabel,
}: {
  resource: Resource<T>;
  children: (data: T) => ReactNode;
  loadingLabel?: string;
}) {
  if (resource.data !== undefined) {
    return (
      <>
        {resource.error && !resource.error.unreachable && (
          <ErrorBox error={resource.error} retry={resource.reload} />
        )}
        {children(resource.data)}
      </>
    );
  }
  if (resource.error) return <ErrorBox error={resource.error} retry={resource.reload} />;
  return <Loading label={loadingLabel} />;
}

/** A page that throws while rendering shows this instead of taking the whole site down. */
export class Boundary extends Component<{ children: ReactNode; resetKey: string }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidUpdate(prev: { resetKey: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.warn('page failed to render', error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="card">
          <h1>Something went wrong on this page</h1>
          <ErrorBox error={this.state.error} retry={() => this.setState({ error: null })} />
        </div>
      );
    }
    return this.props.children;
  }
}
