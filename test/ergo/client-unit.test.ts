/**
 * ErgoNodeClient through its injected `fetch` (no network): exact big integers, typed errors, which
 * requests are retried, api_key placement, request bodies. The same routes run over real HTTP against
 * the devnet in node-client.devnet.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ErgoNodeClient,
  NodeApiError,
  NodeResponseError,
  NodeUnavailableError,
  parseNodeJson,
} from '../../src/ergo/index.ts';

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Responder = (req: Seen, n: number) => Response | Promise<Response>;

function fakeFetch(respond: Responder): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const f = async (input: string | URL | Request, init?: RequestInit) => {
    const req: Seen = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as string | undefined,
    };
    seen.push(req);
    return respond(req, seen.length);
  };
  return { fetch: f as typeof fetch, seen };
}

const json = (text: string, status = 200) =>
  new Response(text, { status, headers: { 'content-type': 'application/json' } });

function client(respond: Responder, over: Partial<ConstructorParameters<typeof ErgoNodeClient>[0]> = {}) {
  const f = fakeFetch(respond);
  const c = new ErgoNodeClient({
    name: 'n1',
    url: 'http://node.invalid:9053/',
    apiKey: 'secret',
    fetch: f.fetch,
    backoff: { baseMs: 1, maxMs: 2 },
    ...over,
  });
  return { c, seen: f.seen };
}

const MSG = '548c3e602a8f36f8f2738f5f643b02425038044d98543a51cabaa9785e7e864f';
const PK = '0350e25cee8562697d55275c96bb01b34228f9bd68fd9933f2a25ff195526864f5';
const B = '57896044618658097711785492504343953926418782139537452191302581';

describe('ErgoNodeClient (injected fetch)', () => {
  it('candidate: b exact beyond 2^53, msg lower-cased', async () => {
    const { c, seen } = client(() =>
      json(`{"msg":"${MSG.toUpperCase()}","b":${B},"h":1500000,"pk":"${PK}"}`),
    );
    const w = await c.miningCandidate();
    assert.equal(w.b, BigInt(B));
    assert.equal(w.msg, MSG);
    assert.equal(w.h, 1_500_000);
    assert.equal(seen[0]!.url, 'http://node.invalid:9053/mining/candidate');
    assert.equal(seen[0]!.headers.api_key, undefined, 'public route without api_key');
  });

  it('candidate long-poll: ?longpoll=<msg>, not retried', async () => {
    const { c, seen } = client(() => new Response('', { status: 503 }));
    await assert.rejects(c.miningCandidate({ longPollMsg: MSG }), NodeApiError);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, `http://node.invalid:9053/mining/candidate?longpoll=${MSG}`);
  });

  it('info: big difficulty/scores exact; null heights of a fresh node; missing informational fields default', async () => {
    const { c } = client(() =>
      json(
        '{"name":"n","network":"mainnet","headersHeight":null,"fullHeight":null,"maxPeerHeight":null,' +
          '"difficulty":123456789012345678901,"headersScore":98765432109876543210987,"fullBlocksScore":null,' +
          '"peersCount":0,"parameters":{"height":0,"blockVersion":3}}',
      ),
    );
    const info = await c.info();
    assert.equal(info.difficulty, 123456789012345678901n);
    assert.equal(info.headersScore, 98765432109876543210987n);
    assert.equal(info.fullBlocksScore, null);
    assert.equal(info.fullHeight, null);
    assert.equal(info.bestHeaderId, null);
    assert.equal(info.isMining, false);
  });

  const malformed: {
    name: string;
    body: string;
    call: (c: ErgoNodeClient) => Promise<unknown>;
    field: string;
  }[] = [
    {
      name: 'b as a float',
      body: `{"msg":"${MSG}","b":1.5,"h":1,"pk":"${PK}"}`,
      call: (c) => c.miningCandidate(),
      field: 'b',
    },
    {
      name: 'b as a string that is not a number',
      body: `{"msg":"${MSG}","b":"12x","h":1,"pk":"${PK}"}`,
      call: (c) => c.miningCandidate(),
      field: 'b',
    },
    {
      name: 'msg not hex',
      body: `{"msg":"zz","b":1,"h":1,"pk":"${PK}"}`,
      call: (c) => c.miningCandidate(),
      field: 'msg',
    },
    {
      name: 'missing h',
      body: `{"msg":"${MSG}","b":1,"pk":"${PK}"}`,
      call: (c) => c.miningCandidate(),
      field: 'h',
    },
    {
      name: 'heights beyond 2^53',
      body: '{"name":"n","network":"x","headersHeight":9007199254740993,"fullHeight":1,"maxPeerHeight":1,"peersCount":1,"parameters":{"height":0,"blockVersion":3}}',
      call: (c) => c.info(),
      field: 'headersHeight',
    },
    {
      name: 'nested: an asset amount',
      body: '{"height":5,"balance":10,"assets":{"ab":-1}}',
      call: (c) => c.walletBalances(),
      field: 'assets.ab',
    },
    {
      name: 'payment answer is not a tx id',
      body: '{"id":"x"}',
      call: (c) => c.paymentSend([{ address: 'a', value: 1n }]),
      field: '',
    },
    { name: 'not JSON at all', body: '<html>', call: (c) => c.info(), field: '' },
  ];
  for (const m of malformed) {
    it(`malformed response names the field: ${m.name}`, async () => {
      const { c } = client(() => json(m.body));
      await assert.rejects(m.call(c), (err: unknown) => {
        assert.ok(err instanceof NodeResponseError, String(err));
        assert.equal(err.field, m.field);
        assert.equal(err.node, 'n1');
        return true;
      });
    });
  }

  it('error body {"error","reason","detail"} becomes a NodeApiError', async () => {
    const { c } = client(() =>
      json(
        '{"error":500,"reason":"internal.error","detail":"Invalid block mined: h(f) < b condition not met"}',
        500,
      ),
    );
    await assert.rejects(c.submitSolution('00000000000000ff'), (err: unknown) => {
      assert.ok(err instanceof NodeApiError);
      assert.equal(err.status, 500);
      assert.equal(err.reason, 'internal.error');
      assert.equal(err.detail, 'Invalid block mined: h(f) < b condition not met');
      assert.equal(err.route, 'POST /mining/solution');
      return true;
    });
  });

  it('a non-JSON error body (proxy page) keeps status and text', async () => {
    const { c } = client(
      () => new Response('<h1>Bad Gateway</h1>', { status: 502, statusText: 'Bad Gateway' }),
    );
    await assert.rejects(c.info({ retries: 0 }), (err: unknown) => {
      assert.ok(err instanceof NodeApiError);
      assert.equal(err.status, 502);
      assert.equal(err.reason, 'Bad Gateway');
      assert.equal(err.detail, '<h1>Bad Gateway</h1>');
      return true;
    });
  });

  it('GETs are retried after transport failures, then succeed', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { c, seen } = client((_req, n) => {
      if (n < 3) throw refused;
      return json('["aa"]');
    });
    assert.deepEqual(await c.walletAddresses(), ['aa']);
    assert.equal(seen.length, 3);
  });

  it('GET gives up after `retries` with the typed cause', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { c, seen } = client(() => {
      throw refused;
    });
    await assert.rejects(
      c.info(),
      (err: unknown) => err instanceof NodeUnavailableError && err.cause === 'refused',
    );
    assert.equal(seen.length, 3, '1 try + 2 retries');
  });

  it('POSTs are sent once: solution, payment, transaction, unlock', async () => {
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const { c, seen } = client(() => {
      throw reset;
    });
    await assert.rejects(c.submitSolution('a00100f3a2b1c4d5'), NodeUnavailableError);
    await assert.rejects(c.paymentSend([{ address: 'x', value: 1n }]), NodeUnavailableError);
    await assert.rejects(c.transactionSend({ requests: [], fee: 1_000_000n }), NodeUnavailableError);
    await assert.rejects(c.walletUnlock('pw'), NodeUnavailableError);
    assert.equal(seen.length, 4);
  });

  it('POST bodies keep nanoERG exact and send api_key on wallet routes', async () => {
    const txId = 'ab'.repeat(32);
    const { c, seen } = client(() => json(`"${txId}"`));
    const huge = 12_345_678_901_234_567_890n;
    const id = await c.paymentSend([
      { address: '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA', value: huge },
      { address: 'b', value: 1n, assets: [{ tokenId: 'cd'.repeat(32), amount: 2n ** 63n - 1n }] },
    ]);
    assert.equal(id, txId);
    const body = seen[0]!.body!;
    assert.match(body, /"value":12345678901234567890\b/);
    assert.match(body, /"amount":9223372036854775807\b/);
    assert.deepEqual(parseNodeJson(body), [
      { address: '9fRAWhdxEsTcdb8PhGNrZfwqa65zfkuYHAMmkQLcic1gdLSV5vA', value: huge },
      { address: 'b', value: 1, assets: [{ tokenId: 'cd'.repeat(32), amount: 2n ** 63n - 1n }] },
    ]);
    assert.equal(seen[0]!.headers.api_key, 'secret');
    assert.equal(seen[0]!.headers['content-type'], 'application/json');
    await c.transactionSend({ requests: [{ address: 'x', value: 5n }], fee: 1_000_000n });
    assert.equal(seen[1]!.body, '{"requests":[{"address":"x","value":5}],"fee":1000000}');
  });

  it('solution body is {"n": lower-case nonce}; a bad nonce never reaches the node', async () => {
    const { c, seen } = client(() => json('{}'));
    await c.submitSolution('A00100F3A2B1C4D5');
    assert.equal(seen[0]!.body, '{"n":"a00100f3a2b1c4d5"}');
    assert.equal(seen[0]!.method, 'POST');
    await assert.rejects(c.submitSolution('123'), RangeError);
    assert.equal(seen.length, 1);
  });

  it('api_key on every route when configured', async () => {
    const { c, seen } = client(() => json('{"address":"a","isValid":true}'), { apiKeyOnAllRoutes: true });
    await c.validateAddress('a b/c');
    assert.equal(seen[0]!.headers.api_key, 'secret');
    assert.equal(seen[0]!.url, 'http://node.invalid:9053/utils/address/a%20b%2Fc');
  });

  it('404 → null for wallet transaction and block lookups, [] for an unknown height', async () => {
    const { c } = client(() => json('{"error":404,"reason":"not-found","detail":"x"}', 404));
    assert.equal(await c.walletTransactionById('ab'.repeat(32)), null);
    assert.equal(await c.block('ab'.repeat(32)), null);
    assert.equal(await c.blockHeader('ab'.repeat(32)), null);
    assert.equal(await c.blockTransactions('ab'.repeat(32)), null);
    assert.deepEqual(await c.blockIdsAt(5), []);
    await assert.rejects(c.walletStatus(), (e: unknown) => e instanceof NodeApiError && e.status === 404);
  });

  it('wallet transactions: outputs get transactionId/index from the tx; null address → ""', async () => {
    const tx = `{"id":"${'11'.repeat(32)}","inputs":[{"boxId":"b0","spendingProof":{"proofBytes":"","extension":{}}}],"dataInputs":[],
      "outputs":[{"boxId":"b1","value":27000000000,"ergoTree":"00","address":"9f","assets":[{"tokenId":"${'d9'.repeat(32)}","amount":12000000000}],"creationHeight":5,"additionalRegisters":{}},
                 {"boxId":"b2","value":1,"ergoTree":"ff","address":null,"assets":[],"creationHeight":5,"additionalRegisters":{}}],
      "size":100,"inclusionHeight":5,"numConfirmations":3,"scans":[10]}`;
    const { c, seen } = client(() => json(`[${tx}]`));
    const [w] = await c.walletTransactions({ minInclusionHeight: 1, maxInclusionHeight: 9 });
    assert.equal(
      seen[0]!.url,
      'http://node.invalid:9053/wallet/transactions?minInclusionHeight=1&maxInclusionHeight=9',
    );
    assert.equal(w!.outputs[0]!.transactionId, '11'.repeat(32));
    assert.equal(w!.outputs[1]!.index, 1);
    assert.equal(w!.outputs[1]!.address, '');
    assert.equal(w!.outputs[0]!.assets[0]!.amount, 12_000_000_000n);
    assert.equal(typeof w!.outputs[0]!.value, 'bigint');
  });

  it('a request that gets no answer times out as NodeUnavailableError(timeout)', async () => {
    const hang: Responder = (req) =>
      new Promise(() => {
        void req;
      });
    const f = fakeFetch(hang);
    const stuck = ((input: string, init: RequestInit) =>
      new Promise((_resolve, reject) => {
        void f.fetch(input, init);
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as unknown as typeof fetch;
    const c = new ErgoNodeClient({
      name: 'slow',
      url: 'http://x.invalid',
      fetch: stuck,
      timeoutMs: 30,
      retries: 0,
    });
    const started = Date.now();
    await assert.rejects(
      c.info(),
      (err: unknown) => err instanceof NodeUnavailableError && err.cause === 'timeout',
    );
    assert.ok(Date.now() - started < 10_000, 'the 30 ms timeout ended the call');
    const controller = new AbortController();
    const pending = c.info({ signal: controller.signal, timeoutMs: 10_000 });
    controller.abort();
    await assert.rejects(
      pending,
      (err: unknown) => err instanceof NodeUnavailableError && err.cause === 'aborted',
    );
  });
});
