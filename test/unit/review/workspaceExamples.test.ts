import { strict as assert } from 'node:assert';
import { examplesFromFindings, MAX_EXAMPLE_LINES, operationAt } from '../../../client/src/review/workspaceExamples';

const MIGRATION = [
  'class Migration(migrations.Migration):',
  '    operations = [',
  '        migrations.AddField(',
  '            model_name="order",',
  '            name="note",',
  '            field=models.TextField(default="(", help_text=""")"""),  # ) in a comment',
  '        ),',
  '        migrations.RemoveField("order", "legacy"),',
  '    ]',
].join('\n');

describe('review: examples from the user\'s own code', () => {
  it('takes the whole operation that starts on the line, brackets in strings and comments left out, dedented', () => {
    assert.equal(
      operationAt(MIGRATION, 2),
      'migrations.AddField(\n    model_name="order",\n    name="note",\n    field=models.TextField(default="(", help_text=""")"""),  # ) in a comment\n)',
    );
    assert.equal(operationAt(MIGRATION, 7), 'migrations.RemoveField("order", "legacy")');
    assert.equal(operationAt(MIGRATION, 99), '');
  });

  it('cuts a long operation and says so', () => {
    const long = ['migrations.RunSQL(', ...Array.from({ length: 30 }, (_, i) => `    "UPDATE t SET a = ${i};"`), ')'].join('\n');
    const shown = operationAt(long, 0).split('\n');
    assert.equal(shown.length, MAX_EXAMPLE_LINES + 1);
    assert.equal(shown.at(-1), '…');
  });

  it('keeps the first finding of each rule (by file, then line) and counts them all', async () => {
    const examples = await examplesFromFindings(
      {
        files: [
          { uri: 'file:///p/b.py', counts: { error: 1, warning: 0, info: 0 }, findings: [{ rule: 'remove-field', severity: 'error', message: '', line: 7 }] },
          {
            uri: 'file:///p/a.py',
            counts: { error: 1, warning: 1, info: 0 },
            findings: [
              { rule: 'remove-field', severity: 'error', message: '', line: 7 },
              { rule: 'add-field-not-null-no-default', severity: 'warning', message: '', line: 2 },
            ],
          },
          { uri: 'file:///p/gone.py', counts: { error: 1, warning: 0, info: 0 }, findings: [{ rule: 'delete-model', severity: 'error', message: '', line: 0 }] },
        ],
      },
      { read: (uri) => (uri.endsWith('gone.py') ? Promise.reject(new Error('deleted')) : Promise.resolve(MIGRATION)), label: (uri) => uri.slice('file:///'.length) },
    );
    assert.deepEqual([...examples.keys()].sort(), ['add-field-not-null-no-default', 'remove-field']);
    assert.deepEqual(examples.get('remove-field'), { location: 'p/a.py:8', code: 'migrations.RemoveField("order", "legacy")', count: 2 });
    assert.equal(examples.get('add-field-not-null-no-default')!.location, 'p/a.py:3');
  });
});
