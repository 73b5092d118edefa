import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addressOfErgoTree,
  InvalidAddressError,
  minerRewardErgoTree,
  p2pkAddress,
  parseAddress,
} from '../../src/ergo/index.ts';

const MAINNET = '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA';
const PK = '02a7955281885bf0f0ca4a48678848cad8dc5b328ce8bc1d4481d041c98e891ff3';

/** The same base58 string with its last character changed (checksum no longer matches). */
function corruptLast(address: string): string {
  const last = address.at(-1)!;
  return address.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

describe('Ergo addresses (protocol.md B.6)', () => {
  it('parses a valid mainnet P2PK address', () => {
    const parsed = parseAddress(MAINNET, 'mainnet');
    assert.equal(parsed.network, 'mainnet');
    assert.equal(parsed.type, 'P2PK');
    assert.match(parsed.ergoTree, /^0008cd0[23][0-9a-f]{64}$/);
    const pk = parsed.ergoTree.slice(6);
    assert.equal(p2pkAddress(pk, 'mainnet'), MAINNET);
    assert.equal(addressOfErgoTree(parsed.ergoTree, 'mainnet'), MAINNET);
    assert.equal(parseAddress(MAINNET).network, 'mainnet', 'any network when none is expected');
  });

  const invalid: { name: string; address: string; network?: 'mainnet' | 'testnet'; reason: RegExp }[] = [
    { name: 'bad checksum', address: corruptLast(MAINNET), reason: /checksum|encoding/ },
    {
      name: 'wrong network',
      address: MAINNET,
      network: 'testnet',
      reason: /mainnet address, expected testnet/,
    },
    { name: 'not base58 (contains 0)', address: `${MAINNET.slice(0, -1)}0`, reason: /base58/ },
    { name: 'too short', address: '9f', reason: /length/ },
    { name: 'truncated', address: MAINNET.slice(0, 30), reason: /checksum|encoding/ },
  ];
  for (const c of invalid) {
    it(`rejects: ${c.name}`, () => {
      assert.throws(
        () => parseAddress(c.address, c.network),
        (err: unknown) => err instanceof InvalidAddressError && c.reason.test(err.reason),
      );
    });
  }

  it('a testnet P2PK address of the same key starts with 3 and is testnet', () => {
    const testnet = p2pkAddress(PK, 'testnet');
    assert.match(testnet, /^3/);
    assert.equal(parseAddress(testnet, 'testnet').network, 'testnet');
    assert.throws(() => parseAddress(testnet, 'mainnet'), InvalidAddressError);
  });

  it('miner reward script for a pk (B.1: 100204a00b08cd ‖ pk ‖ ea02d192a39a8cc7a70173007301)', () => {
    assert.equal(minerRewardErgoTree(PK), `100204a00b08cd${PK}ea02d192a39a8cc7a70173007301`);
    assert.equal(minerRewardErgoTree(PK.toUpperCase()), minerRewardErgoTree(PK));
    // 72 blocks (a testnet-like delay) is zig-zag VLQ 0x9001.
    assert.equal(minerRewardErgoTree(PK, 72), `100204900108cd${PK}ea02d192a39a8cc7a70173007301`);
    assert.throws(() => minerRewardErgoTree('04'.padEnd(66, '0')), RangeError);
    const p2s = addressOfErgoTree(minerRewardErgoTree(PK), 'mainnet');
    const parsed = parseAddress(p2s, 'mainnet');
    assert.equal(parsed.type, 'P2S');
    assert.equal(parsed.ergoTree, minerRewardErgoTree(PK));
  });
});
