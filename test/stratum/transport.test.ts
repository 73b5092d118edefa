import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseDifficulty } from '../../src/coin/index.ts';
import { proxyV2Header } from '../../src/stratum/index.ts';
import { TestStratumClient } from '../helpers/stratum-client.ts';
import {
  DEFAULT_VARDIFF,
  type Harness,
  MINER_ADDRESS,
  msgHex,
  portConfig,
  startHarness,
} from '../helpers/stratum-harness.ts';
import { selfSignedCert } from '../helpers/tls-cert.ts';

const LOGIN = `${MINER_ADDRESS}.rig`;

async function handshake(client: TestStratumClient) {
  const sub = await client.send('mining.subscribe', ['t']);
  assert.equal((sub.result as unknown[]).length, 3);
  const auth = await client.send('mining.authorize', [LOGIN, 'x']);
  assert.equal(auth.result, true);
  return { extranonce1: (sub.result as string[])[1]!, notify: await client.nextNotify() };
}

describe('TLS and PROXY protocol', () => {
  let h: Harness;
  let tlsPort: number;
  let detectPort: number;
  let plainPort: number;
  before(async () => {
    const tls = selfSignedCert();
    h = await startHarness({
      ports: [portConfig({ tls }), portConfig({ tls: { ...tls, detect: true } }), portConfig()],
      limits: { proxyAddresses: ['127.0.0.1'] },
    });
    [tlsPort, detectPort, plainPort] = h.ports.map((p) => p.port) as [number, number, number];
    h.server.setWork({ msg: msgHex(1), b: 1n, height: 7, version: 3 });
  });
  after(() => h.close());

  it('serves the dialect over TLS', async () => {
    const client = await TestStratumClient.open(tlsPort, { tls: true });
    const { extranonce1, notify } = await handshake(client);
    const reply = await client.send('mining.submit', [
      LOGIN,
      (notify.params as string[])[0]!,
      '',
      '',
      `${extranonce1}000000000001`,
    ]);
    assert.equal(reply.result, true);
    client.close();
  });

  it('one port detects TLS or plain text from the first byte', async () => {
    const secure = await TestStratumClient.open(detectPort, { tls: true });
    await handshake(secure);
    const plain = await TestStratumClient.open(detectPort);
    await handshake(plain);
    secure.close();
    plain.close();
  });

  it('takes the client address from a PROXY v1 header sent by a configured proxy', async () => {
    const client = await TestStratumClient.open(plainPort, {
      preface: Buffer.from('PROXY TCP4 203.0.113.7 127.0.0.1 51000 3052\r\n'),
    });
    const { extranonce1, notify } = await handshake(client);
    const nonce = `${extranonce1}000000000abc`;
    await client.send('mining.submit', [LOGIN, (notify.params as string[])[0]!, '', '', nonce]);
    assert.equal(h.sink.shares.find((s) => s.nonce === nonce)?.clientAddress, '203.0.113.7');
    client.close();
  });

  it('takes the client address from a PROXY v2 header', async () => {
    const plain = await TestStratumClient.open(plainPort, {
      preface: proxyV2Header('198.51.100.9', 40000, '127.0.0.1', 3052),
    });
    const { extranonce1, notify } = await handshake(plain);
    const nonce = `${extranonce1}000000000abd`;
    await plain.send('mining.submit', [LOGIN, (notify.params as string[])[0]!, '', '', nonce]);
    assert.equal(h.sink.shares.find((s) => s.nonce === nonce)?.clientAddress, '198.51.100.9');
    plain.close();
  });

  it('refuses a PROXY header from an address that is not a configured proxy', async () => {
    for (const preface of [
      Buffer.from('PROXY TCP4 10.9.9.9 127.0.0.1 1 2\r\n'),
      proxyV2Header('10.9.9.9', 1, '127.0.0.1', 2),
    ]) {
      const spoofed = await TestStratumClient.open(plainPort, { localAddress: '127.0.0.2', preface });
      spoofed.raw('{"id":1,"method":"mining.subscribe","params":[]}\n');
      await spoofed.whenClosed();
      assert.equal(spoofed.messages.length, 0);
    }
    const honest = await TestStratumClient.open(plainPort, { localAddress: '127.0.0.2' });
    await handshake(honest);
    honest.close();
  });
});

describe('vardiff over a real connection', () => {
  it('raises a fast miner’s difficulty and sends the new target with the same job', async () => {
    const h = await startHarness({
      ports: [
        portConfig({
          startDifficulty: parseDifficulty('1e-10'),
          vardiff: {
            ...DEFAULT_VARDIFF,
            targetSeconds: 1,
            retargetSeconds: 60,
            floodShares: 10,
            maxFactor: 4,
          },
        }),
      ],
    });
    try {
      h.server.setWork({ msg: msgHex(5), b: 1n, height: 9, version: 3 });
      const client = await TestStratumClient.open(h.ports[0]!.port);
      const { extranonce1, notify } = await handshake(client);
      const jobId = (notify.params as string[])[0]!;
      const firstTarget = BigInt((notify.params as string[])[6]!);
      for (let k = 1; k <= 10; k++) {
        const reply = await client.send('mining.submit', [
          LOGIN,
          jobId,
          '',
          '',
          `${extranonce1}${k.toString(16).padStart(12, '0')}`,
        ]);
        assert.equal(reply.result, true);
      }
      const retarget = await client.nextNotify();
      assert.equal((retarget.params as string[])[0], jobId, 'same job id');
      assert.equal((retarget.params as unknown[])[8], true, 'the re-send is clean (issue 11.24)');
      assert.equal(
        BigInt((retarget.params as string[])[6]!),
        firstTarget / 4n,
        'difficulty ×4 (the step limit)',
      );
      // shares at the previous target stay valid until the next change
      const reply = await client.send('mining.submit', [LOGIN, jobId, '', '', `${extranonce1}0000000000ff`]);
      assert.equal(reply.result, true);
      client.close();
    } finally {
      await h.close();
    }
  });
});
