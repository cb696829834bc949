// The Problems list truncates a long message at the panel's width: the language server puts the advice first.
import { strict as assert } from 'node:assert';
import { adviceFirst } from '../../../server/src/lsp/diagnostics';

describe('advice first in the editor', () => {
  it('moves the advice clause to the front, capitalised, and keeps the rest word for word', () => {
    const message = 'AddIndex shop.order: builds index x on shop_order without CONCURRENTLY; the SHARE lock blocks writes; use AddIndexConcurrently';
    assert.equal(adviceFirst({ message, advice: 'use AddIndexConcurrently' }), 'Use AddIndexConcurrently. AddIndex shop.order: builds index x on shop_order without CONCURRENTLY; the SHARE lock blocks writes');
  });

  it('leaves a message without advice, and an advice that starts with code, as they are', () => {
    assert.equal(adviceFirst({ message: 'RunSQL has no reverse_sql' }), 'RunSQL has no reverse_sql');
    assert.equal(adviceFirst({ message: 'x; `db_column=` it', advice: '`db_column=` it' }), '`db_column=` it. x');
  });
});
