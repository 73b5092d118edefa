// The routes: every page has its own bookmarkable URL.
import { Layout } from './components/layout.tsx';
import { Boundary } from './components/state.tsx';
import { Link, useLocation } from './lib/router.tsx';
import { BlocksPage } from './pages/blocks.tsx';
import { ConnectPage } from './pages/connect.tsx';
import { HelpPage } from './pages/help.tsx';
import { HomePage } from './pages/home.tsx';
import { MinerPage } from './pages/miner.tsx';
import { MinersPage } from './pages/miners.tsx';
import { PaymentsPage } from './pages/payments.tsx';

function route(path: string) {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  switch (clean) {
    case '/':
      return <HomePage />;
    case '/blocks':
      return <BlocksPage />;
    case '/payments':
      return <PaymentsPage />;
    case '/miners':
      return <MinersPage />;
    case '/connect':
      return <ConnectPage />;
    case '/help':
      return <HelpPage />;
  }
  const miner = /^\/miners?\/([^/]+)$/.exec(clean);
  if (miner) {
    const address = decodeURIComponent(miner[1]!);
    return <MinerPage key={address} address={address} />;
  }
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        There is nothing at <code>{path}</code>. <Link to="/">Back to the pool →</Link>
      </p>
    </div>
  );
}

export function App() {
  const { path } = useLocation();
  return (
    <Layout>
      <Boundary resetKey={path}>{route(path)}</Boundary>
    </Layout>
  );
}
