// Inline ignore comments: trailing on the operation's first line, on the line(s) directly above, file-wide, and the
// unused-ignore findings for ignores that suppress nothing or name unknown rules.
import { strict as assert } from 'node:assert';
import { analyze } from '../../../../server/src/engine/analyze';
import { parseIgnoreComment } from '../../../../server/src/engine/config/ignoreComments';
import { DEFAULT_CONFIG, type ResolvedConfig } from '../../../../server/src/engine/config/types';
import type { Comment } from '../../../../server/src/engine/python/model';
import type { FileRule, Rule } from '../../../../server/src/engine/rules/rule';
import { unusedIgnore } from '../../../../server/src/engine/rules/unusedIgnore';

const EXPLANATION = { summary: 's', sql: '', lock: '', blocks: '', rewrite: '', safeAlternative: '', safeCode: '' };

function operationRule(id: string, operationName: string, extra: Partial<FileRule> = {}): FileRule {
  return {
    id,
    title: id,
    severity: 'warning',
    vendors: 'all',
    category: 'compatibility',
    explanation: EXPLANATION,
    scope: 'file',
    check(ctx) {
      for (const op of ctx.file.allOperations) if (op.name === operationName) ctx.report({ span: op.span, operation: op, message: id });
    },
    ...extra,
  };
}

/** Reports the `field=` keyword argument of AddField, on a later line than the operation's first. */
const kwargRule: FileRule = {
  ...operationRule('fake-kwarg', 'AddField'),
  check(ctx) {
    for (const op of ctx.file.allOperations) {
      const span = op.call.kwargSpans['field'];
      if (op.name === 'AddField' && span) ctx.report({ span, operation: op, message: 'kwarg' });
    }
  },
};

/** Reports the class name, with no operation. */
const classRule: FileRule = {
  ...operationRule('fake-class', ''),
  check(ctx) {
    const cls = ctx.file.migrationClass;
    if (cls) ctx.report({ span: cls.nameSpan, message: 'class' });
  },
};

const RULES: Rule[] = [operationRule('fake-remove', 'RemoveField'), operationRule('fake-sql', 'RunSQL'), kwargRule, classRule];

function run(body: string, config: Partial<ResolvedConfig> = {}, rules: Rule[] = RULES): string[] {
  const text = `from django.db import migrations, models\n\n${body}`;
  const result = analyze([{ path: 'shop/migrations/0002_x.py', text }], { config: { ...DEFAULT_CONFIG, ...config }, rules });
  assert.deepEqual(result.errors, []);
  // Lines are counted from the first line of `body` (0) to keep the cases readable.
  return result.findings.map((f) => `${f.start.line - 2} ${f.rule}`);
}

function comment(text: string): Comment {
  return { span: { start: 0, end: text.length + 1 }, text, ownLine: true, line: 0 };
}

describe('ignore comments', () => {
  describe('parsing', () => {
    it('reads rule ids, separators and reasons', () => {
      assert.deepEqual(parseIgnoreComment(comment(' migration-guard: ignore remove-field')), {
        scope: 'line',
        ruleIds: ['remove-field'],
        comment: comment(' migration-guard: ignore remove-field'),
        targetLine: 0,
      });
      const several = parseIgnoreComment(comment(' migration-guard: ignore remove-field,rename-field  delete-model -- legacy column, see #123'))!;
      assert.deepEqual(several.ruleIds, ['remove-field', 'rename-field', 'delete-model']);
      assert.equal(several.reason, 'legacy column, see #123');
      assert.equal(parseIgnoreComment(comment('migration-guard:ignore-file\tsql-drop-table'))?.scope, 'file');
      assert.deepEqual(parseIgnoreComment(comment('migration-guard: ignore-file\tsql-drop-table'))?.ruleIds, ['sql-drop-table']);
      assert.deepEqual(parseIgnoreComment(comment(' migration-guard: ignore'))?.ruleIds, []);
    });

    it('rejects other comments', () => {
      for (const text of [' noqa', ' migration-guard ignore x', ' migration-guard: ignored x', ' migration-guard: ignore-files x', ' see migration-guard: ignore x', ' migration-guard: check x']) {
        assert.equal(parseIgnoreComment(comment(text)), undefined, text);
      }
    });
  });

  const CLASS = `class Migration(migrations.Migration):
    operations = [`;

  it('suppresses with a trailing comment on the operation\'s first line', () => {
    assert.deepEqual(
      run(`${CLASS}
        migrations.RemoveField("order", "a"),  # migration-guard: ignore fake-remove -- moved to state-only
        migrations.RemoveField("order", "b"),
    ]
`),
      ['0 fake-class', '3 fake-remove'],
    );
  });

  it('suppresses with a comment on its own line directly above, whatever the indentation', () => {
    assert.deepEqual(
      run(`${CLASS}
                # migration-guard: ignore fake-remove
        migrations.RemoveField("order", "a"),
# migration-guard: ignore fake-sql
        migrations.RunSQL("SELECT 1"),
        # migration-guard: ignore fake-remove -- reason
        # a note between the directive and the operation
        migrations.RemoveField("order", "b"),
    ]
`),
      ['0 fake-class'],
    );
  });

  it('does not reach across a blank line or onto later operations', () => {
    assert.deepEqual(
      run(`${CLASS}
        # migration-guard: ignore fake-remove

        migrations.RemoveField("order", "a"),
        migrations.RemoveField("order", "b"),  # migration-guard: ignore fake-remove
        migrations.RemoveField("order", "c"),
    ]
`),
      ['0 fake-class', '2 unused-ignore', '4 fake-remove', '6 fake-remove'],
    );
  });

  it('anchors on the operation\'s first line even when the finding is on a later line', () => {
    const body = `${CLASS}
        migrations.AddField(  # migration-guard: ignore fake-kwarg
            "order",
            "code",
            field=models.IntegerField(null=True),
        ),
        migrations.AddField(
            "order",
            "other",
            field=models.IntegerField(null=True),  # migration-guard: ignore fake-kwarg
        ),
    ]
`;
    assert.deepEqual(run(body), ['0 fake-class', '10 fake-kwarg', '10 unused-ignore']);
  });

  it('anchors on the finding\'s own line when it has no operation', () => {
    assert.deepEqual(run(`# migration-guard: ignore fake-class\n${CLASS}\n    ]\n`), []);
    assert.deepEqual(run('class Migration(migrations.Migration):  # migration-guard: ignore fake-class\n    operations = []\n'), []);
  });

  it('suppresses file-wide with ignore-file, from anywhere', () => {
    assert.deepEqual(
      run(`${CLASS}
        migrations.RemoveField("order", "a"),
        migrations.RunSQL("SELECT 1"),
        migrations.RemoveField("order", "b"),
    ]
# migration-guard: ignore-file fake-remove, fake-class
`),
      ['3 fake-sql'],
    );
  });

  it('does not treat a directive inside a string as a comment', () => {
    assert.deepEqual(
      run(`${CLASS}
        migrations.RunSQL("SELECT 1  # migration-guard: ignore fake-sql"),
    ]
`),
      ['0 fake-class', '2 fake-sql'],
    );
  });

  describe('unused-ignore', () => {
    it('reports an ignore that suppresses nothing, on the comment, per rule id', () => {
      const text = `from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RunSQL("x"),  # migration-guard: ignore fake-sql, fake-remove\n    ]\n`;
      const result = analyze([{ path: 'shop/migrations/0002_x.py', text }], { config: DEFAULT_CONFIG, rules: RULES });
      const unused = result.findings.filter((f) => f.rule === 'unused-ignore');
      assert.equal(unused.length, 1);
      assert.equal(unused[0]!.severity, 'info');
      assert.equal(text.slice(unused[0]!.span.start, unused[0]!.span.end), '# migration-guard: ignore fake-sql, fake-remove');
      assert.match(unused[0]!.message, /fake-remove/);
      assert.ok(!result.findings.some((f) => f.rule === 'fake-sql'));
    });

    it('reports unknown rule ids and directives without ids', () => {
      const findings = analyze(
        [
          {
            path: 'shop/migrations/0002_x.py',
            text: `from django.db import migrations\n# migration-guard: ignore-file remove-feild\nclass Migration(migrations.Migration):  # migration-guard: ignore fake-class\n    operations = []  # migration-guard: ignore\n`,
          },
        ],
        { config: DEFAULT_CONFIG, rules: RULES },
      ).findings;
      assert.deepEqual(
        findings.map((f) => `${f.start.line} ${f.rule}`),
        ['1 unused-ignore', '3 unused-ignore'],
      );
      assert.match(findings[0]!.message, /Unknown rule id `remove-feild`/);
      assert.match(findings[1]!.message, /names no rule id/);
    });

    it('stays quiet about rules that did not run (deselected, other database, failed)', () => {
      const pgOnly = operationRule('fake-pg', 'RunSQL', { vendors: ['postgresql'] });
      const failing = operationRule('fake-fails', 'RunSQL', {
        check() {
          throw new Error('nope');
        },
      });
      const body = `${CLASS}
        migrations.RunSQL("x"),  # migration-guard: ignore fake-pg, fake-fails, fake-remove
    ]
`;
      const text = `from django.db import migrations, models\n\n${body}`;
      const result = analyze([{ path: 'shop/migrations/0002_x.py', text }], {
        config: { ...DEFAULT_CONFIG, database: 'mysql', ignore: ['fake-remove'] },
        rules: [pgOnly, failing, operationRule('fake-remove', 'RemoveField')],
      });
      assert.deepEqual(result.findings, []);
      assert.deepEqual(result.errors.map((e) => e.message), ['rule fake-fails failed: nope']);
    });

    it('is subject to select, ignore and severity like any rule', () => {
      const body = `${CLASS}\n        migrations.RunSQL("x"),  # migration-guard: ignore fake-remove\n    ]\n`;
      assert.deepEqual(run(body, { ignore: ['unused-ignore', 'fake-sql'] }), ['0 fake-class']);
      assert.deepEqual(run(body, { select: ['fake-remove'] }), []);
      assert.deepEqual(run(body, { severity: { 'unused-ignore': 'off' } }), ['0 fake-class', '2 fake-sql']);
      const text = `from django.db import migrations, models\n\n${body}`;
      const result = analyze([{ path: 'shop/migrations/0002_x.py', text }], { config: { ...DEFAULT_CONFIG, severity: { 'unused-ignore': 'warning' } }, rules: RULES });
      assert.equal(result.findings.find((f) => f.rule === 'unused-ignore')?.severity, 'warning');
    });

    it('can itself be silenced by ignore-file unused-ignore', () => {
      const body = `# migration-guard: ignore-file unused-ignore\n${CLASS}\n        migrations.RunSQL("x"),  # migration-guard: ignore fake-remove\n    ]\n`;
      assert.deepEqual(run(body), ['1 fake-class', '3 fake-sql']);
    });

    it('describes itself as pipeline-reported rule metadata', () => {
      assert.equal(unusedIgnore.id, 'unused-ignore');
      assert.equal(unusedIgnore.severity, 'info');
      assert.equal(unusedIgnore.vendors, 'all');
      assert.ok(unusedIgnore.explanation.safeCode.includes('# migration-guard: ignore'));
    });
  });
});
