// Pure: the command lines and configs that point each GPU miner at this pool, generated from the
// pool's own stratum config (host, port, TLS). Each miner spells Autolykos2 its own way.

export interface ConnectTarget {
  host: string;
  port: number;
  tls: boolean;
  address: string;
  worker: string;
}

export interface MinerRecipe {
  id: string;
  name: string;
  /** the algorithm name as this miner spells it */
  algorithm: string;
  /** a shell command, or a config file to save */
  kind: 'command' | 'config';
  text: string;
  note?: string;
}

export function stratumUrl(t: Pick<ConnectTarget, 'host' | 'port' | 'tls'>): string {
  return `${t.tls ? 'stratum+ssl' : 'stratum+tcp'}://${hostForUrl(t.host)}:${t.port}`;
}

/** An IPv6 literal needs brackets in a URL and host:port. */
function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function login(t: Pick<ConnectTarget, 'address' | 'worker'>): string {
  return t.worker ? `${t.address}.${t.worker}` : t.address;
}

export function minerRecipes(t: ConnectTarget): MinerRecipe[] {
  const url = stratumUrl(t);
  const hostPort = `${hostForUrl(t.host)}:${t.port}`;
  const user = login(t);
  return [
    {
      id: 'lolminer',
      name: 'lolMiner',
      algorithm: 'AUTOLYKOS2',
      kind: 'command',
      text: `lolMiner --algo AUTOLYKOS2 --pool ${t.tls ? url : hostPort} --user ${user}`,
    },
    {
      id: 'teamredminer',
      name: 'TeamRedMiner',
      algorithm: 'autolykos2',
      kind: 'command',
      text: `teamredminer -a autolykos2 -o ${url} -u ${user} -p x`,
    },
    {
      id: 'srbminer',
      name: 'SRBMiner-MULTI',
      algorithm: 'autolykos2',
      kind: 'command',
      text: `SRBMiner-MULTI --algorithm autolykos2 --pool ${hostPort} --wallet ${user} --password x${t.tls ? ' --tls true' : ''}`,
      note: 'add --disable-cpu to mine on GPUs only',
    },
    {
      id: 'nanominer',
      name: 'nanominer',
      algorithm: 'autolykos',
      kind: 'config',
      text: [
        '[autolykos]',
        `wallet = ${t.address}`,
        ...(t.worker ? [`rigName = ${t.worker}`] : []),
        `pool1 = ${hostPort}`,
        ...(t.tls ? ['useSSL = true'] : []),
      ].join('\n'),
      note: 'save as config.ini next to nanominer and start it without arguments',
    },
    {
      id: 'rigel',
      name: 'Rigel',
      algorithm: 'autolykos2',
      kind: 'command',
      text: `rigel -a autolykos2 -o ${url} -u ${t.address}${t.worker ? ` -w ${t.worker}` : ''}`,
    },
    {
      id: 'gminer',
      name: 'GMiner',
      algorithm: 'autolykos2',
      kind: 'command',
      text: `miner --algo autolykos2 --server ${hostPort} --user ${user}${t.tls ? ' --ssl 1' : ''}`,
    },
    {
      id: 'bzminer',
      name: 'BzMiner',
      algorithm: 'ergo',
      kind: 'command',
      text: `bzminer -a ergo -w ${user} -p ${url}`,
    },
  ];
}

export interface HiveOsField {
  label: string;
  value: string;
}

/** What to type into a HiveOS flight sheet ("Configure in miner"). */
export function hiveOsFlightSheet(t: Pick<ConnectTarget, 'host' | 'port' | 'tls'>): HiveOsField[] {
  return [
    { label: 'Coin', value: 'ERG' },
    { label: 'Wallet', value: 'your Ergo address (it becomes %WAL%)' },
    { label: 'Pool', value: 'Configure in miner' },
    { label: 'Wallet and worker template', value: '%WAL%.%WORKER_NAME%' },
    { label: 'Pool URL', value: t.tls ? stratumUrl(t) : `${hostForUrl(t.host)}:${t.port}` },
    { label: 'Pass', value: 'x' },
  ];
}
