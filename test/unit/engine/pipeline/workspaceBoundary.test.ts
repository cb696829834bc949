// Never outside the workspace (issue #10): the file walkers do not follow a symlink out of the workspace root or
// the folders named on the command line, and the pyproject.toml search stops at the repository root.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConfig } from '../../../../server/src/engine/config/pyproject';
import { discoverFiles } from '../../../../server/src/engine/files';
import { WorkspaceIndex } from '../../../../server/src/lsp/workspaceIndex';

const MIGRATION = 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n';

describe('never outside the workspace', () => {
  let base: string;
  let workspace: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'mg-boundary-'));
    workspace = join(base, 'workspace');
    mkdirSync(join(workspace, 'shop', 'migrations'), { recursive: true });
    writeFileSync(join(workspace, 'shop', 'migrations', '0001_initial.py'), MIGRATION);
    mkdirSync(join(base, 'outside', 'billing', 'migrations'), { recursive: true });
    writeFileSync(join(base, 'outside', 'billing', 'migrations', '0001_initial.py'), MIGRATION);
    writeFileSync(join(base, 'outside', 'secret.py'), 'SECRET = 1\n');
    symlinkSync(join(base, 'outside'), join(workspace, 'outlink'));
    symlinkSync(join(base, 'outside', 'secret.py'), join(workspace, 'shop', 'migrations', '0002_link.py'));
    symlinkSync(join(workspace, 'shop'), join(workspace, 'shoplink')); // inside: harmless, walked once
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('check does not follow links out of the named folder', () => {
    const found = discoverFiles([workspace], base);
    assert.deepEqual(found.migrations, [join(workspace, 'shop', 'migrations', '0001_initial.py')]);
  });

  it('check follows a link named on the command line, and links below it', () => {
    const found = discoverFiles([join(workspace, 'outlink')], base);
    assert.deepEqual(found.migrations, [join(workspace, 'outlink', 'billing', 'migrations', '0001_initial.py')]);
  });

  it('the walk is bounded: a link loop inside the workspace is walked once, a tree deeper than 64 levels is cut off', () => {
    symlinkSync(workspace, join(workspace, 'shop', 'loop'));
    let deep = join(workspace, 'deep');
    for (let level = 0; level < 70; level++) deep = join(deep, 'd');
    mkdirSync(join(deep, 'shop', 'migrations'), { recursive: true });
    writeFileSync(join(deep, 'shop', 'migrations', '0001_initial.py'), MIGRATION);
    const found = discoverFiles([workspace], base);
    assert.deepEqual(found.migrations, [join(workspace, 'shop', 'migrations', '0001_initial.py')]);
    assert.ok(found.folders.length < 80, `${found.folders.length} folders walked`);
  });

  it('the language server indexes nothing reached through a link out of the workspace', async () => {
    const index = new WorkspaceIndex(() => undefined, () => false);
    const entry = index.addWorkspaceFolder(workspace, `file://${workspace}`);
    const loaded = await index.indexFolder(entry, { report: () => undefined }, () => false);
    assert.equal(loaded, 1);
  });

  it('the pyproject.toml search stops at the repository root and at the workspace folder', () => {
    writeFileSync(join(base, 'pyproject.toml'), '[tool.migration-guard]\nexclude = ["**"]\n');
    assert.ok(findConfig(workspace), 'no boundary: the parent folder is found');
    assert.equal(findConfig(workspace, workspace), undefined);
    mkdirSync(join(workspace, '.git'));
    assert.equal(findConfig(join(workspace, 'shop')), undefined);
  });
});
