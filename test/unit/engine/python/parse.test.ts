// Parsing with @lezer/python: full parses, and incremental re-parses that must give exactly the tree a fresh parse
// gives, whatever the edit.
import { strict as assert } from 'node:assert';
import { changedRange, parsePython, reparsePython } from '../../../../server/src/engine/python/parse';
import { computeLineStarts, positionOfOffset } from '../../../../server/src/engine/python/textPositions';

const SOURCE = `from django.db import migrations, models


def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Order.objects.filter(code="").update(code=None)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField("order", "code", models.CharField(max_length=20, null=True)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunSQL("""
            CREATE INDEX CONCURRENTLY order_code ON shop_order (code);
        """),
    ]
`;

/** A deterministic pseudo-random sequence, so failures are reproducible. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('python parsing', () => {
  it('parses a migration without errors', () => {
    const parsed = parsePython(SOURCE);
    assert.equal(parsed.tree.length, SOURCE.length);
    assert.equal(parsed.tree.topNode.name, 'Script');
    assert.ok(!parsed.tree.toString().includes('⚠'));
  });

  it('finds the single changed range between two texts', () => {
    assert.deepEqual(changedRange('abcdef', 'abXYef'), { fromA: 2, toA: 4, fromB: 2, toB: 4 });
    assert.deepEqual(changedRange('abc', 'abXc'), { fromA: 2, toA: 2, fromB: 2, toB: 3 });
    assert.deepEqual(changedRange('aaaa', 'aa'), { fromA: 2, toA: 4, fromB: 2, toB: 2 });
    assert.deepEqual(changedRange('', 'x'), { fromA: 0, toA: 0, fromB: 0, toB: 1 });
    assert.deepEqual(changedRange('same', 'same'), { fromA: 4, toA: 4, fromB: 4, toB: 4 });
  });

  it('finds the same changed range as a character-by-character comparison, on long texts and repeated content', () => {
    const reference = (a: string, b: string): ReturnType<typeof changedRange> => {
      const shorter = Math.min(a.length, b.length);
      let prefix = 0;
      while (prefix < shorter && a[prefix] === b[prefix]) prefix++;
      let suffix = 0;
      while (suffix < shorter - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
      return { fromA: prefix, toA: a.length - suffix, fromB: prefix, toB: b.length - suffix };
    };
    const random = sequence(7);
    for (let round = 0; round < 400; round++) {
      // Few distinct characters, so equal runs cross the block sizes in every way; up to 20,000 characters.
      const length = Math.floor(random() * (round % 4 === 0 ? 20000 : 3000));
      const text = Array.from({ length }, () => 'ab\n'[Math.floor(random() * 3)]).join('');
      const at = Math.floor(random() * (length + 1));
      const removed = Math.floor(random() * Math.min(5000, length - at + 1));
      const inserted = Array.from({ length: Math.floor(random() * 700) }, () => 'ab\n'[Math.floor(random() * 3)]).join('');
      const edited = text.slice(0, at) + inserted + text.slice(at + removed);
      assert.deepEqual(changedRange(text, edited), reference(text, edited), `round ${round}`);
    }
  });

  it('re-parses incrementally to exactly the tree of a fresh parse', () => {
    const random = sequence(42);
    const insertions = ['x', ' ', '\n', '(', ')', '"', "'", '#', ',', 'migrations.RemoveField("a", "b"),\n        ', '"""', ':', '    '];
    let parsed = parsePython(SOURCE);
    for (let step = 0; step < 150; step++) {
      const text = parsed.text;
      const at = Math.floor(random() * (text.length + 1));
      let next: string;
      if (random() < 0.6 || text.length === 0) {
        next = text.slice(0, at) + insertions[Math.floor(random() * insertions.length)] + text.slice(at);
      } else {
        const length = Math.min(text.length - at, 1 + Math.floor(random() * 12));
        next = text.slice(0, at) + text.slice(at + length);
      }
      const incremental = reparsePython(parsed, next);
      assert.equal(incremental.tree.toString(), parsePython(next).tree.toString(), `differs after step ${step}`);
      parsed = incremental;
    }
  });

  it('reuses the unchanged parts of the previous tree', () => {
    let text = '';
    for (let index = 0; index < 200; index++) text += `def helper_${index}(apps, schema_editor):\n    return None\n\n`;
    const before = parsePython(text);
    const subtrees = (tree: object, into = new Set<object>()): Set<object> => {
      into.add(tree);
      for (const child of (tree as { children?: object[] }).children ?? []) subtrees(child, into);
      return into;
    };
    const previous = subtrees(before.tree);
    const shared = (tree: object) => [...subtrees(tree)].filter((node) => previous.has(node)).length;
    assert.ok(shared(reparsePython(before, text + 'x = 1\n').tree) > 0, 'an incremental parse shares subtrees');
    assert.equal(shared(parsePython(text + 'x = 1\n').tree), 0, 'a fresh parse shares nothing');
  });

  it('returns the previous parse for an unchanged text', () => {
    const parsed = parsePython(SOURCE);
    assert.equal(reparsePython(parsed, SOURCE), parsed);
  });

  it('tolerates empty, binary and half-typed input', () => {
    for (const text of ['', '\u0000\u0001\u0002', 'class Migration(migrations.Migration):\n    operations = [\n        migrations.AddField(']) {
      const parsed = parsePython(text);
      assert.equal(parsed.tree.length, text.length);
      const edited = reparsePython(parsed, text + ')\n');
      assert.equal(edited.tree.length, text.length + 2);
    }
  });

  it('maps offsets to 0-based lines and UTF-16 characters for every line ending', () => {
    const text = 'a\nbé\r\nc\rd😀e';
    const starts = computeLineStarts(text);
    assert.deepEqual(starts, [0, 2, 6, 8]);
    assert.deepEqual(positionOfOffset(starts, 0), { line: 0, character: 0 });
    assert.deepEqual(positionOfOffset(starts, 3), { line: 1, character: 1 });
    assert.deepEqual(positionOfOffset(starts, 7), { line: 2, character: 1 });
    assert.deepEqual(positionOfOffset(starts, text.indexOf('e')), { line: 3, character: 3 });
    assert.deepEqual(positionOfOffset(starts, text.length), { line: 3, character: 4 });
  });
});
