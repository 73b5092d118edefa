import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { DatabaseShareStore, LateAcceptances } from '../../src/shares/index.ts';
import { ENGINES, freshDatabase } from '../db/helpers.ts';
import { makeShare } from './helpers.ts';

const silent = pino({ level: 'silent' });

for (const engine of ENGINES) {
  describe(`late acceptances on ${engine}`, { timeout: 60_000 }, () => {
    it('adds a node that took the block on a resubmission, once, even when the row lands later', async () => {
      const fresh = await freshDatabase(engine, { migrated: true });
      try {
        const share = makeShare(1);
        share.isBlock = true;
        share.acceptedBy = [];
        const late = new LateAcceptances({
          db: fresh.db,
          poolId: 'ergo',
          logger: silent,
          retryMs: 20,
          attempts: 100,
        });
        // The node answered before the shipper wrote the block row.
        const noted = late.note(share.height, share.nonce, 'backup');
        await new Promise((r) => setTimeout(r, 100));
        await new DatabaseShareStore(fresh.db, { defaultPoolId: 'ergo' }).write([
          { seq: 1, share, bytes: 0 },
        ]);
        assert.equal(await noted, true);
        assert.equal(await late.note(share.height, share.nonce, 'backup'), true, 'a repeat changes nothing');
        assert.equal(await late.note(share.height, share.nonce, 'main'), true);
        const r = await fresh.db.query<{ accepted_by: string[] }>('SELECT accepted_by FROM blocks');
        assert.deepEqual(r.rows, [{ accepted_by: ['backup', 'main'] }]);
        late.stop();
      } finally {
        await fresh.cleanup();
      }
    });

    it('records the acceptance on its own pool’s block only', async () => {
      const fresh = await freshDatabase(engine, { migrated: true });
      try {
        const store = new DatabaseShareStore(fresh.db, { defaultPoolId: 'ergo' });
        const ours = makeShare(1);
        const theirs = { ...makeShare(2), poolId: 'solo', height: ours.height, nonce: ours.nonce };
        for (const s of [ours, theirs]) {
          s.isBlock = true;
          s.acceptedBy = ['main'];
        }
        await store.write([
          { seq: 1, share: ours, bytes: 0 },
          { seq: 2, share: theirs, bytes: 0 },
        ]);
        const late = new LateAcceptances({ db: fresh.db, poolId: 'solo', logger: silent, retryMs: 10 });
        assert.equal(await late.note(ours.height, ours.nonce, 'backup'), true);
        const r = await fresh.db.query<{ pool_id: string; accepted_by: string[] }>(
          'SELECT pool_id, accepted_by FROM blocks ORDER BY pool_id',
        );
        assert.deepEqual(r.rows, [
          { pool_id: 'ergo', accepted_by: ['main'] },
          { pool_id: 'solo', accepted_by: ['main', 'backup'] },
        ]);
        late.stop();
      } finally {
        await fresh.cleanup();
      }
    });

    it('gives up after its attempts when the block never lands, and stop() ends waiting', async () => {
      const fresh = await freshDatabase(engine, { migrated: true });
      try {
        const late = new LateAcceptances({
          db: fresh.db,
          poolId: 'ergo',
          logger: silent,
          retryMs: 10,
          attempts: 3,
        });
        assert.equal(await late.note(1925001, '00000000000000aa', 'main'), false);
        const waiting = late.note(1925001, '00000000000000bb', 'main');
        late.stop();
        assert.equal(await waiting, false, 'stop() settles a waiting attempt as not recorded');
        assert.equal(await late.note(1925001, '00000000000000cc', 'main'), false, 'nothing after stop');
      } finally {
        await fresh.cleanup();
      }
    });
  });
}
