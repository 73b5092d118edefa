// The image's HEALTHCHECK, with node's fetch (no curl in the image). Exit 0 healthy, 1 not.
//   node healthcheck.mjs           the API: /api/v1/health answers and the database is reachable
//   node healthcheck.mjs metrics   roles without the API (stratum, accounting): /metrics answers
// A 503 from /api/v1/health because the figures are stale is still healthy here: the stats job runs in
// the accounting role, and restarting this container would not bring them back.
const env = process.env;
const mode = process.argv[2] ?? 'api';
const url =
  mode === 'metrics'
    ? `http://127.0.0.1:${env.ENIGMAPOOL_API__METRICS__PORT ?? '9100'}/metrics`
    : `http://127.0.0.1:${env.ENIGMAPOOL_API__PORT ?? '8080'}/api/v1/health`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (mode === 'metrics') process.exit(res.status === 200 ? 0 : 1);
  const body = await res.json();
  if (body.database === 'ok') process.exit(0);
  console.error(`${url}: ${res.status} ${JSON.stringify(body)}`);
} catch (err) {
  console.error(`${url}: ${err.message}`);
}
process.exit(1);
