import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiPath, poolOf, withPool } from '../../web/src/lib/pool-param.ts';

describe('web: the picked pool in site URLs and API paths', () => {
  it('reads the pool parameter (none or empty: the default pool)', () => {
    assert.equal(poolOf(new URLSearchParams('pool=solo&page=2')), 'solo');
    assert.equal(poolOf(new URLSearchParams('page=2')), null);
    assert.equal(poolOf(new URLSearchParams('pool=')), null);
  });

  it('prefixes an API path with the picked pool, and leaves the default pool’s unprefixed', () => {
    assert.equal(apiPath('/stats', 'solo'), '/pools/solo/stats');
    assert.equal(apiPath('/blocks?page=1&pageSize=20', 'solo'), '/pools/solo/blocks?page=1&pageSize=20');
    assert.equal(apiPath('/miners/9f', null), '/miners/9f');
    assert.equal(apiPath('/stats', 'a b'), '/pools/a%20b/stats');
  });

  const table: [string, string | null, string][] = [
    ['/', 'solo', '/?pool=solo'],
    ['/blocks?status=pending&page=2', 'solo', '/blocks?status=pending&page=2&pool=solo'],
    ['/blocks?pool=solo&status=pending', null, '/blocks?status=pending'],
    ['/blocks?pool=solo', 'pplns', '/blocks?pool=pplns'],
    ['/miner/9fabc', null, '/miner/9fabc'],
  ];
  for (const [to, pool, expected] of table)
    it(`withPool(${to}, ${pool}) = ${expected}`, () => assert.equal(withPool(to, pool), expected));
});
