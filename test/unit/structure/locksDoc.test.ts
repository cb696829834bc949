// docs/locks.md is generated from the lock model and the shapes verified on PostgreSQL; this fails when someone
// changed either and forgot `npm run docs`.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { LOCKS_DOC, renderLocksDoc } from '../../../scripts/generateLocksDoc';

describe('generated lock documentation', () => {
  it('docs/locks.md matches the lock model and the verified shapes (run `npm run docs`)', () => {
    assert.equal(readFileSync(LOCKS_DOC, 'utf8'), renderLocksDoc());
  });
});
