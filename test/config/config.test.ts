import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ConfigError,
  defaultPoolId,
  loadConfig,
  maskSecrets,
  poolsOf,
  validate,
} from '../../src/config/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'enigmapool-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('config', () => {
  it('defaults make a complete config', () => {
    const c = validate({});
    assert.equal(c.network, 'mainnet');
    assert.equal(c.stratum.ports[0]!.port, 3052);
    assert.equal(c.stratum.extranonce1Size, 2);
    const vardiff = c.stratum.ports[0]!.vardiff;
    assert.ok(vardiff !== false);
    assert.equal(vardiff.targetSeconds, 15);
  });

  it('reads YAML and JSON files', () => {
    const yaml = loadConfig({
      file: file('a.yaml', 'network: testnet\nstratum:\n  ports:\n    - port: 4000\n      vardiff: false\n'),
    });
    assert.equal(yaml.network, 'testnet');
    assert.equal(yaml.stratum.ports[0]!.vardiff, false);
    const json = loadConfig({
      file: file('b.json', '{"nodes":[{"name":"n1","url":"http://127.0.0.1:9053","apiKey":"k"}]}'),
    });
    assert.equal(json.nodes[0]!.priority, 0);
  });

  const bad: [string, unknown, RegExp][] = [
    ['an unknown key', { stratm: {} }, /stratm: unknown key/],
    ['a port out of range', { stratum: { ports: [{ port: 70000 }] } }, /stratum\.ports\.0\.port:/],
    [
      'a bad difficulty',
      { stratum: { ports: [{ port: 1, difficulty: { start: '-1' } }] } },
      /stratum\.ports\.0\.difficulty\.start:/,
    ],
    ['a bad node url', { nodes: [{ name: 'a', url: 'not a url' }] }, /nodes\.0\.url:/],
    ['a bad network', { network: 'moon' }, /network:/],
    ['a nested unknown key', { devnet: { port: 1, colour: 'red' } }, /devnet\.colour: unknown key/],
  ];
  for (const [what, raw, message] of bad) {
    it(`names the key for ${what}`, () =>
      assert.throws(
        () => validate(raw),
        (err: Error) => err instanceof ConfigError && message.test(err.message),
      ));
  }

  it('refuses a missing or unparsable file with a clear message', () => {
    assert.throws(() => loadConfig({ file: join(dir, 'missing.yaml') }), /cannot read config file/);
    assert.throws(() => loadConfig({ file: file('bad.yaml', 'a: [1,\n') }), /not valid YAML/);
  });

  it('environment variables override the file', () => {
    const c = loadConfig({
      file: file('c.yaml', 'nodes:\n  - name: n1\n    url: http://127.0.0.1:9053\n'),
      env: {
        ENIGMAPOOL_NETWORK: 'testnet',
        ENIGMAPOOL_NODES__0__APIKEY: 'secret',
        ENIGMAPOOL_STRATUM__EXTRANONCE1SIZE: '3',
        ENIGMAPOOL_DATADIR: '/tmp/x',
        OTHER: '1',
      },
    });
    assert.equal(c.network, 'testnet');
    assert.equal(c.nodes[0]!.apiKey, 'secret');
    assert.equal(c.stratum.extranonce1Size, 3);
    assert.equal(c.dataDir, '/tmp/x');
  });

  it('environment keys reach camelCase keys the file does not mention, through arrays and unions', () => {
    const c = loadConfig({
      file: file('d.yaml', 'stratum:\n  ports:\n    - port: 4000\n'),
      env: {
        ENIGMAPOOL_STRATUM__LIMITS__MAXCONNECTIONSPERADDRESS: '5',
        ENIGMAPOOL_STRATUM__PORTS__0__VARDIFF__TARGETSECONDS: '10',
        ENIGMAPOOL_DEMOMINER__ENABLED: 'true',
      },
    });
    assert.equal(c.stratum.limits.maxConnectionsPerAddress, 5);
    const vardiff = c.stratum.ports[0]!.vardiff;
    assert.ok(vardiff !== false);
    assert.equal(vardiff.targetSeconds, 10);
    assert.equal(c.demoMiner.enabled, true);
  });

  it('an environment override is validated and named too', () => {
    assert.throws(() => loadConfig({ env: { ENIGMAPOOL_POLLINTERVALMS: 'soon' } }), /pollIntervalMs:/);
  });

  it('environment values take the type the schema expects at their key', () => {
    const c = loadConfig({
      file: file(
        'e.yaml',
        'nodes: [{ name: n1, url: "http://127.0.0.1:9053" }]\nstratum: { ports: [{ port: 4000 }] }\n',
      ),
      env: {
        // a numeric API key stays text, and so does a name; numbers, booleans and null only where the key takes them
        ENIGMAPOOL_NODES__0__APIKEY: '123456',
        ENIGMAPOOL_NODES__0__NAME: 'yes',
        ENIGMAPOOL_WALLETNODE: 'null',
        ENIGMAPOOL_API__PORT: '08080',
        ENIGMAPOOL_API__ENABLED: 'FALSE',
        ENIGMAPOOL_API__TRUSTPROXY: '[10.0.0.2, 10.0.0.3]',
        ENIGMAPOOL_STRATUM__PORTS__0__VARDIFF: 'false',
        ENIGMAPOOL_STRATUM__PORTS__0__DIFFICULTY__START: '0.5',
        ENIGMAPOOL_STRATUM__LIMITS__MESSAGESPERSECOND: '2.5',
        ENIGMAPOOL_DEVNET__COMPETITORBLOCKTIMESECONDS: 'null',
        ENIGMAPOOL_ACCOUNTING__FEES:
          '[{address: 9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA, percent: "1"}]',
      },
    });
    assert.equal(c.nodes[0]!.apiKey, '123456');
    assert.equal(c.nodes[0]!.name, 'yes');
    assert.equal(c.walletNode, 'null');
    assert.equal(c.api.port, 8080);
    assert.equal(c.api.enabled, false);
    assert.deepEqual(c.api.trustProxy, ['10.0.0.2', '10.0.0.3']);
    assert.equal(c.stratum.ports[0]!.vardiff, false);
    assert.equal(c.stratum.ports[0]!.difficulty.start, '0.5');
    assert.equal(c.stratum.limits.messagesPerSecond, 2.5);
    assert.equal(c.devnet?.competitorBlockTimeSeconds ?? null, null);
    assert.equal(c.accounting.fees[0]!.percent, '1');
  });

  const badEnv: [Record<string, string>, RegExp][] = [
    [{ ENIGMAPOOL_API__PORT: 'eighty' }, /^api\.port: ENIGMAPOOL_API__PORT="eighty" is not an integer$/],
    [{ ENIGMAPOOL_API__PORT: '80.5' }, /^api\.port: ENIGMAPOOL_API__PORT="80\.5" is not an integer$/],
    [
      { ENIGMAPOOL_API__ENABLED: 'maybe' },
      /^api\.enabled: ENIGMAPOOL_API__ENABLED="maybe" is not true or false$/,
    ],
    [
      { ENIGMAPOOL_STRATUM__LIMITS__MESSAGEBURST: '1e999' },
      /^stratum\.limits\.messageBurst: .* is not a number$/,
    ],
    [
      { ENIGMAPOOL_API__TRUSTPROXY: 'sometimes' },
      /^api\.trustProxy: ENIGMAPOOL_API__TRUSTPROXY="sometimes" is not true or false, or a list$/,
    ],
    [{ ENIGMAPOOL_NODES: '[unclosed' }, /^nodes: ENIGMAPOOL_NODES is not valid YAML/],
  ];
  for (const [env, message] of badEnv) {
    it(`names the key and the variable for ${JSON.stringify(env)}`, () =>
      assert.throws(
        () => loadConfig({ env }),
        (err: Error) => err instanceof ConfigError && message.test(err.message),
      ));
  }

  it('masks secrets for printing', () => {
    const masked = maskSecrets({ nodes: [{ apiKey: 'k', url: 'http://x' }], db: 'postgres://u:pw@h/db' }) as {
      nodes: { apiKey: string }[];
      db: string;
    };
    assert.equal(masked.nodes[0]!.apiKey, '********');
    assert.equal(masked.db, 'postgres://u:********@h/db');
  });
});

describe('several pools in one deployment (issue 14)', () => {
  const NODES = [
    { name: 'main', url: 'http://10.0.0.5:9053' },
    { name: 'backup', url: 'http://10.0.0.6:9053' },
  ];

  it('without pools: one pool of the top-level keys, pool.id, which old rows belong to', () => {
    const c = validate({
      pool: { id: 'mypool' },
      nodes: NODES,
      walletNode: 'main',
      accounting: { scheme: 'pps' },
    });
    const [only, ...rest] = poolsOf(c);
    assert.deepEqual(rest, []);
    assert.deepEqual(
      [
        only!.id,
        only!.network,
        only!.walletNode,
        only!.sharedNodes,
        only!.accounting.scheme,
        only!.ports[0]!.port,
      ],
      ['mypool', 'mainnet', 'main', true, 'pps', 3052],
    );
    assert.equal(defaultPoolId(c), 'mypool');
  });

  it('a second pool is a config block: its own ports, scheme and payouts over the shared nodes', () => {
    const c = loadConfig({
      file: file(
        'pools.yaml',
        [
          'nodes:',
          '  - { name: main, url: "http://10.0.0.5:9053" }',
          'walletNode: main',
          'pools:',
          '  - id: pplns',
          '    ports: [{ port: 3052 }]',
          '    accounting: { scheme: pplns, fees: [{ address: 9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA, percent: "1" }] }',
          '  - id: solo',
          '    ports: [{ port: 3056, vardiff: false }]',
          '    accounting: { scheme: solo, payouts: { minimum: "0.5" } }',
          '',
        ].join('\n'),
      ),
      env: { ENIGMAPOOL_POOLS__1__ACCOUNTING__CONFIRMATIONS: '30' },
    });
    const [pplns, solo] = poolsOf(c);
    assert.deepEqual(
      [
        pplns!.id,
        pplns!.accounting.scheme,
        pplns!.accounting.fees.length,
        pplns!.walletNode,
        pplns!.sharedNodes,
      ],
      ['pplns', 'pplns', 1, 'main', true],
    );
    assert.deepEqual(
      [solo!.id, solo!.accounting.scheme, solo!.accounting.payouts.minimum, solo!.accounting.confirmations],
      ['solo', 'solo', '0.5', 30],
    );
    assert.equal(solo!.name, 'EnigmaPool solo');
    assert.equal(defaultPoolId(c), 'pplns', 'no pool is called pool.id (ergo): the first');
  });

  it('a pool over nodes of its own pays from one of them', () => {
    const c = validate({
      nodes: NODES,
      walletNode: 'main',
      pools: [
        { id: 'a', ports: [{ port: 3052 }] },
        {
          id: 'b',
          ports: [{ port: 3053 }],
          nodes: [{ name: 'other', url: 'http://10.0.0.7:9053' }],
          walletNode: 'other',
        },
      ],
    });
    const [a, b] = poolsOf(c);
    assert.deepEqual([a!.sharedNodes, a!.walletNode], [true, 'main']);
    assert.deepEqual(
      [b!.sharedNodes, b!.walletNode, b!.nodes.map((n) => n.name)],
      [false, 'other', ['other']],
    );
  });

  const bad: [string, unknown, RegExp][] = [
    [
      'two pools with one id',
      {
        pools: [
          { id: 'a', ports: [{ port: 1 }] },
          { id: 'a', ports: [{ port: 2 }] },
        ],
      },
      /pools\.1\.id: a is the id of another pool/,
    ],
    [
      'one port in two pools',
      {
        pools: [
          { id: 'a', ports: [{ port: 3052 }] },
          { id: 'b', ports: [{ port: 3052 }] },
        ],
      },
      /pools\.1\.ports\.0\.port: 0\.0\.0\.0:3052 is a port of pool a too/,
    ],
    [
      'a wallet node the pool does not use',
      { nodes: NODES, pools: [{ id: 'a', ports: [{ port: 1 }], walletNode: 'elsewhere' }] },
      /pools\.0\.walletNode: elsewhere is not one of the pool's nodes \(main, backup\)/,
    ],
    ['a pool without ports', { pools: [{ id: 'a', ports: [] }] }, /pools\.0\.ports:/],
    [
      'a coin this build does not have',
      { pools: [{ id: 'a', coin: 'doge', ports: [{ port: 1 }] }] },
      /pools\.0\.coin:/,
    ],
    [
      'a bad pool scheme',
      { pools: [{ id: 'a', ports: [{ port: 1 }], accounting: { scheme: 'fpps' } }] },
      /pools\.0\.accounting\.scheme:/,
    ],
  ];
  for (const [what, raw, message] of bad) {
    it(`names the key for ${what}`, () =>
      assert.throws(
        () => validate(raw),
        (err: Error) => err instanceof ConfigError && message.test(err.message),
      ));
  }
});
