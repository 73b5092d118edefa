import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Leadership } from '../../src/accounting/leadership.ts';
import { acquireLease } from '../../src/db/index.ts';
import { freshDatabase } from '../db/helpers.ts';

const silent = pino({ level: 'silent' });

describe('accounting leadership (a lease in PostgreSQL)', () => {
  it('one leader; the lead lapses by the local clock when not renewed; a standby takes over and ends the payout lease', async () => {
    const fresh = await freshDatabase('postgres', { migrated: true });
    try {
      let t = 1_000_000;
      const a = new Leadership({ db: fresh.db, holder: 'a', leaseMs: 2000, logger: silent, now: () => t });
      const b = new Leadership({ db: fresh.db, holder: 'b', leaseMs: 2000, logger: silent, now: () => t });
      assert.equal(await a.check(), true);
      assert.equal(await b.check(), false, 'one leader at a time');
      // a runs a payout (it holds the payout lease for long), then stops renewing.
      assert.ok(await acquireLease(fresh.db, 'payouts', 'a', 600_000));
      t += 1900;
      assert.equal(a.leading, false, 'not renewed within 90 % of the lease: a no longer acts as leader');
      await new Promise((r) => setTimeout(r, 2100)); // the lease expires in the database too
      assert.equal(await b.check(), true, 'the standby takes over');
      assert.equal(await acquireLease(fresh.db, 'payouts', 'b', 60_000).then(Boolean), true, 'and may pay');
      assert.equal(await a.check(), false, 'the old leader stands by');
    } finally {
      await fresh.cleanup();
    }
  });

  it('a database error is not leading, and never throws', async () => {
    const fresh = await freshDatabase('postgres', { migrated: true });
    const a = new Leadership({ db: fresh.db, holder: 'a', leaseMs: 2000, logger: silent });
    assert.equal(await a.check(), true);
    await fresh.cleanup(); // the database is gone
    assert.equal(await a.check(), false);
    assert.equal(a.leading, false);
  });
});
