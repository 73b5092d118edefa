/**
 * Every command's usage text, apart from the commands themselves so that `enigmapool --help` (and a usage
 * error) prints without loading a command's dependencies: main.ts imports each command only when it runs.
 */

export const API_USAGE = `  enigmapool api [--config pool.yaml] [--database postgres://…] [--redis redis://…] [--api-port A]
      the HTTP API and website alone, for running several behind a load balancer: reads the pool's
      database and the figures its stats job keeps (in Redis when configured, else in the database);
      live events reach its websockets through Redis`;

export const CONFIG_USAGE = `  enigmapool config --print [--config pool.yaml]
      the effective configuration (file, then ENIGMAPOOL_* environment overrides), secrets masked`;

export const DEVNET_USAGE = `Usage:
  enigmapool devnet [--port 9053] [--difficulty D] [--block-time S] [--height H] [--nodes N]
                    [--competitor-block-time S] [--mempool-interval MS] [--reward-delay N]
                    [--network mainnet|testnet] [--api-key KEY] [--state FILE] [--node-keys shared|own]
  Runs a simulated Ergo network (node REST API on 127.0.0.1, port+k for node k) in the foreground;
  logs each block. --node-keys own: node k > 0 mines for its own key (a misconfigured backup). Admin: POST /devnet/fault|competitor-block|reorg|mempool-tx, GET /devnet/state.`;

export const LOADGEN_USAGE = `  enigmapool loadgen --url stratum+tcp://HOST:PORT --user ADDRESS [--connections N] [--rate R] [--seconds S]
                     [--connect-rate C] [--source-addresses A,B] [--mode random|valid] [--difficulty D]
      simulated miners over real sockets, each submitting R shares/s for S seconds; prints latency percentiles.
      --mode random (default) sends random nonces: the pool rejects nearly all as low difficulty, by design.
      --mode valid mines real shares at the static difficulty D (default 1e-9, for a test port whose
      minimum difficulty is that low)`;

export const MIGRATE_USAGE = `  enigmapool migrate [--database URL] [--data-dir DIR] [--config pool.yaml]
      apply the database migrations and print them: the PostgreSQL server of --database postgres://… (or
      database.url), else the embedded PGlite database in DIR/db`;

export const MINER_USAGE = `  enigmapool miner --url stratum+tcp://HOST:PORT --user ADDRESS.worker [--threads N] [--pass X]
      CPU miner: mines shares on a stratum pool, logs hashrate and accepted/rejected shares`;

export const POW_USAGE = `Usage:
  enigmapool pow --msg HEX --nonce HEX --height N     hit of one nonce: {"N":…,"hit":"<64 hex>"}
  enigmapool pow --header FILE.json                    check a header as the node's REST API returns it
  enigmapool pow --bench [--seconds S] [--workers W]   verify random shares at a mainnet height
Options: --kernel best|reference|scalar|avx2|avx512 (default best)`;

export const START_USAGE = `  enigmapool start [--config pool.yaml] [--devnet] [--devnet-port P] [--stratum-port S] [--api-port A]
                   [--data-dir DIR] [--database postgres://…] [--redis redis://…] [--start-difficulty D] [--no-demo-miner]
                   [--demo-threads N] [--role all|stratum|accounting|api] [--instance-id N]
      run the pool; --devnet runs a simulated Ergo network in-process and (unless told not to) a demo miner.
      Shares are journaled under DIR (default ./data) and shipped into the PGlite database in DIR/db, or into
      the PostgreSQL server of --database (or database.url in the config). The API, website and /metrics
      listen on --api-port (default 8080); --redis shares stats and events with other instances.
      --role runs one part of a cluster on one PostgreSQL: stratum (any number, each its own --instance-id
      and data dir), accounting (one leads, the others stand by) or api (any number); all is everything`;
