import { strict as assert } from 'node:assert';
import { findingsStatus } from '../../../client/src/findingsSummary';

describe('client: the status bar item for migration findings', () => {
  it('hides without errors or warnings', () => {
    assert.equal(findingsStatus([], 'pending'), undefined);
    assert.equal(findingsStatus([{ path: 'shop/migrations/0001_initial.py', error: 0, warning: 0 }], 'pending'), undefined);
  });

  it('shows the counts, and names the files, errors first, in the tooltip', () => {
    const status = findingsStatus(
      [
        { path: 'shop/migrations/0003_index.py', error: 0, warning: 2 },
        { path: 'shop/migrations/0002_drop.py', error: 1, warning: 3 },
      ],
      'pending',
    );
    assert.equal(status?.text, 'Migrations $(error) 1 $(warning) 5');
    assert.equal(
      status?.tooltip,
      [
        'Django Migration Guard: 1 error, 5 warnings in 2 migrations',
        '',
        'shop/migrations/0002_drop.py: 1 error, 3 warnings',
        'shop/migrations/0003_index.py: 2 warnings',
        '',
        'Click to open the Problems panel.',
      ].join('\n'),
    );
    assert.equal(findingsStatus([{ path: 'a', error: 0, warning: 1 }], 'pending')?.text, 'Migrations $(warning) 1');
  });

  it('says what the Problems scope leaves out, from the workspace totals', () => {
    const status = findingsStatus([{ path: 'shop/migrations/0003_index.py', error: 0, warning: 2 }], 'pending', { error: 3, warning: 9, files: 4 });
    assert.match(status?.tooltip ?? '', /\nThe workspace's migrations have 3 errors, 9 warnings in all; Problems lists the open and pending ones \(migrationGuard\.problems\.scope: pending\)\.\n/);
    const same = findingsStatus([{ path: 'x', error: 3, warning: 9 }], 'workspace', { error: 3, warning: 9, files: 1 });
    assert.doesNotMatch(same?.tooltip ?? '', /in all/);
  });

  it('names at most 8 files', () => {
    const files = Array.from({ length: 11 }, (_, index) => ({ path: `app/migrations/00${10 + index}_x.py`, error: 1, warning: 0 }));
    const tooltip = findingsStatus(files, 'workspace')?.tooltip ?? '';
    assert.equal(tooltip.split('\n').filter((line) => line.startsWith('app/')).length, 8);
    assert.match(tooltip, /… and 3 more migrations\n/);
  });
});
