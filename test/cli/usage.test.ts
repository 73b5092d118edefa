import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOADGEN_USAGE } from '../../src/cli/usage.ts';
import { VALID_MODE_DIFFICULTY } from '../../src/miner/index.ts';

describe('usage texts', () => {
  // usage.ts imports nothing (help must not load the commands), so it spells the default out.
  it('loadgen names the valid mode’s default difficulty', () =>
    assert.match(LOADGEN_USAGE, new RegExp(`\\(default ${VALID_MODE_DIFFICULTY},`)));
});
