// The syntax tree cache (engine/cache/treeCache.ts): a tree comes back only for the exact text it was parsed from,
// only from a file this tool wrote for this folder and tool identity, and never from a damaged file.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import { TreeCache } from '../../../../server/src/engine/cache/treeCache';
import { contentDigest } from '../../../../server/src/engine/cache/fileDigests';

/** Every node's type, from and to, in document order: equal outlines mean equal trees for reading. */
function outline(tree: Tree): string {
  const parts: string[] = [];
  const cursor = tree.cursor();
  for (let more = true; more; more = cursor.next()) parts.push(`${cursor.type.name}:${cursor.from}-${cursor.to}`);
  return parts.join(' ');
}

function migrationText(n: number): string {
  const fields = Array.from({ length: 1 + (n % 7) }, (_, k) => `                ("f${k}", models.CharField(max_length=${10 + k}, null=True)),`).join('\n');
  return `from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "${String(n).padStart(4, '0')}_previous")]

    operations = [
        migrations.CreateModel(
            name="Model${n}",
            fields=[
${fields}
            ],
        ),
        migrations.RunSQL("UPDATE shop_model SET x = ${n}"),  # a comment ${'é'.repeat(n % 3)}
    ]
`;
}

describe('syntax tree cache', () => {
  let dir: string;
  let file: string;
  const texts = Array.from({ length: 150 }, (_, n) => migrationText(n));
  const entries = (list: readonly string[]): { digest: string; length: number; tree: Tree }[] =>
    list.map((text) => ({ digest: contentDigest(text), length: text.length, tree: parser.parse(text) }));
  const load = (identity = 'tool-1', folder = '12:34.5'): TreeCache => TreeCache.load(file, identity, folder, parser.nodeSet);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mg-trees-'));
    file = join(dir, 'trees-x.bin');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back, for each text, a tree with the same outline as a fresh parse', () => {
    load().save(entries(texts));
    const cache = load();
    for (const text of texts) {
      const tree = cache.treeFor(contentDigest(text), text.length);
      assert.ok(tree, 'stored');
      assert.equal(outline(tree), outline(parser.parse(text)));
    }
    assert.equal(cache.reused, texts.length);
  });

  it('gives nothing for another text length, another tool identity or another cache folder', () => {
    load().save(entries(texts));
    assert.equal(load().treeFor(contentDigest(texts[0]!), texts[0]!.length + 1), undefined);
    assert.equal(load('tool-2').treeFor(contentDigest(texts[0]!), texts[0]!.length), undefined);
    assert.equal(load('tool-1', '99:1').treeFor(contentDigest(texts[0]!), texts[0]!.length), undefined);
    assert.equal(load().treeFor(contentDigest('x = 1\n'), 6), undefined);
  });

  it('uses nothing from a damaged or cut-short file', () => {
    load().save(entries(texts));
    const good = readFileSync(file);
    for (const at of [good.length - 3, Math.floor(good.length / 2), 40]) {
      const damaged = Buffer.from(good);
      damaged[at] = damaged[at]! ^ 0x20;
      writeFileSync(file, damaged);
      assert.equal(load().treeFor(contentDigest(texts[0]!), texts[0]!.length), undefined, `byte ${at}`);
    }
    writeFileSync(file, good.subarray(0, good.length - 100));
    assert.equal(load().treeFor(contentDigest(texts[0]!), texts[0]!.length), undefined);
    writeFileSync(file, 'not a tree file');
    assert.equal(load().treeFor(contentDigest(texts[0]!), texts[0]!.length), undefined);
  });

  it('leaves the file alone while at most one tree in a hundred is new, and rewrites it past that', () => {
    load().save(entries(texts));
    const written = statSync(file).mtimeMs;
    const bytes = readFileSync(file);
    const reuseAllBut = (fresh: string[]): void => {
      const cache = load();
      const kept = texts.slice(fresh.length);
      const trees = kept.map((text) => ({ digest: contentDigest(text), length: text.length, tree: cache.treeFor(contentDigest(text), text.length)! }));
      cache.save([...trees, ...entries(fresh)]);
    };
    reuseAllBut(['x = 1\n']);
    assert.ok(readFileSync(file).equals(bytes), 'one new tree in 150: not rewritten');
    assert.equal(statSync(file).mtimeMs, written);
    reuseAllBut(['x = 1\n', 'y = 2\n']);
    const cache = load();
    assert.ok(cache.treeFor(contentDigest('y = 2\n'), 6), 'two new trees in 150: rewritten');
    assert.equal(cache.treeFor(contentDigest(texts[0]!), texts[0]!.length), undefined, 'trees of files gone are dropped');
  });

  it('keeps no trees past the cap on node buffers, and still gives back the trees of a file written under it', () => {
    const all = entries(texts);
    // About the bytes of node buffers of a tree (a TreeBuffer holds 4 16-bit units per node): a cap the whole list crosses.
    const bufferBytes = (tree: Tree): number => {
      let nodes = 0;
      const cursor = tree.cursor();
      for (let more = true; more; more = cursor.next()) nodes++;
      return nodes * 8;
    };
    const firstTwo = bufferBytes(all[0]!.tree) + bufferBytes(all[1]!.tree);
    TreeCache.load(file, 'tool-1', '12:34.5', parser.nodeSet, firstTwo).save(all);
    assert.throws(() => statSync(file), /ENOENT/, 'past the cap: nothing written');

    load().save(all.slice(0, 2));
    const written = readFileSync(file);
    const capped = TreeCache.load(file, 'tool-1', '12:34.5', parser.nodeSet, firstTwo);
    assert.ok(capped.treeFor(contentDigest(texts[0]!), texts[0]!.length), 'a stored tree is still read under a lower cap');
    capped.save(all);
    assert.ok(readFileSync(file).equals(written), 'a save past the cap leaves the file as it was');
  });
});
