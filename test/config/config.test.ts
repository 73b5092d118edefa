import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, maskSecrets, validate } from '../../src/config/index.ts';

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
