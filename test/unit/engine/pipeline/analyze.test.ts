// The analysis pipeline with small fake rules: selection, severity, vendors and database detection, contained rule
// failures, graph rules, exclude globs, IgnoreMigration, positions, sorting, bad input, and the incremental Project.
import { strict as assert } from 'node:assert';
import { analyze, looksBinary, Project, type SourceFile } from '../../../../server/src/engine/analyze';
import { DEFAULT_CONFIG, type Database, type ResolvedConfig } from '../../../../server/src/engine/config/types';
import { databaseOfEngine, detectDatabase } from '../../../../server/src/engine/config/vendor';
import type { FileContext, FileRule, GraphContext, GraphRule, Severity } from '../../../../server/src/engine/rules/rule';
import { modelNames } from '../../../../server/src/engine/rules/operationFacts';

const EXPLANATION = { summary: 's', sql: '', lock: '', blocks: '', rewrite: '', safeAlternative: '', safeCode: '' };

/** A file rule that reports every operation with the given name. */
function operationRule(id: string, operationName: string, options: { severity?: Severity; vendors?: Database[] | 'all' } = {}): FileRule {
  return {
    id,
    title: id,
    severity: options.severity ?? 'warning',
    vendors: options.vendors ?? 'all',
    category: 'compatibility',
    explanation: EXPLANATION,
    scope: 'file',
    check(ctx: FileContext) {
      for (const op of ctx.file.allOperations) {
        if (op.name === operationName) ctx.report({ span: op.span, operation: op, message: `${operationName} in ${ctx.file.name} on ${ctx.database}` });
      }
    },
  };
}

function config(overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return { ...DEFAULT_CONFIG, ...overrides };
}

function migration(operations: string[], dependencies = '[]', header = ''): string {
  return `from django.db import migrations, models
${header}
class Migration(migrations.Migration):
    dependencies = ${dependencies}
    operations = [
${operations.map((op) => `        ${op},`).join('\n')}
    ]
`;
}

const REMOVE = 'migrations.RemoveField("order", "legacy")';
const RUN_SQL = 'migrations.RunSQL("SELECT 1")';
const FILES: SourceFile[] = [
  { path: 'shop/migrations/0001_initial.py', text: migration([REMOVE, RUN_SQL]) },
  { path: 'shop/migrations/0002_more.py', text: migration([RUN_SQL, REMOVE], '[("shop", "0001_initial")]') },
];

describe('analyze pipeline', () => {
  const removeRule = operationRule('fake-remove', 'RemoveField', { severity: 'error' });
  const sqlRule = operationRule('fake-sql', 'RunSQL', { severity: 'info' });
  const pgOnly = operationRule('fake-pg', 'RunSQL', { vendors: ['postgresql'] });
  const rules = [removeRule, sqlRule, pgOnly];

  it('runs every rule and reports findings with positions, sorted by file, position and rule', () => {
    const result = analyze(FILES, { config: config(), rules });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.findings.map((f) => `${f.file}:${f.start.line}:${f.start.character} ${f.rule} ${f.severity}`),
      [
        'shop/migrations/0001_initial.py:5:8 fake-remove error',
        'shop/migrations/0001_initial.py:6:8 fake-pg warning',
        'shop/migrations/0001_initial.py:6:8 fake-sql info',
        'shop/migrations/0002_more.py:5:8 fake-pg warning',
        'shop/migrations/0002_more.py:5:8 fake-sql info',
        'shop/migrations/0002_more.py:6:8 fake-remove error',
      ],
    );
    const first = result.findings[0]!;
    // A finding about the whole operation is underlined on its name; the call's span travels as operationSpan.
    assert.deepEqual(first.end, { line: 5, character: 8 + 'migrations.RemoveField'.length });
    assert.equal(FILES[0]!.text.slice(first.span.start, first.span.end), 'migrations.RemoveField');
    assert.equal(FILES[0]!.text.slice(first.operationSpan!.start, first.operationSpan!.end), REMOVE);
    assert.deepEqual(first.fixes, []);
    assert.equal(first.message, 'RemoveField in 0001_initial on postgresql');
  });

  it('honours select, ignore and severity overrides (including off)', () => {
    const ids = (c: ResolvedConfig) => [...new Set(analyze(FILES, { config: c, rules }).findings.map((f) => `${f.rule}:${f.severity}`))].sort();
    assert.deepEqual(ids(config({ select: ['fake-sql'] })), ['fake-sql:info']);
    assert.deepEqual(ids(config({ ignore: ['fake-sql', 'fake-pg'] })), ['fake-remove:error']);
    assert.deepEqual(ids(config({ severity: { 'fake-remove': 'info', 'fake-sql': 'off', 'fake-pg': 'error' } })), ['fake-pg:error', 'fake-remove:info']);
  });

  it('runs vendor-specific rules only on their database', () => {
    const ids = (c: ResolvedConfig, settingsFiles?: SourceFile[]) =>
      [...new Set(analyze(FILES, { config: c, rules, settingsFiles }).findings.map((f) => f.rule))].sort();
    assert.deepEqual(ids(config({ database: 'mysql' })), ['fake-remove', 'fake-sql']);
    assert.deepEqual(ids(config({ database: 'postgresql' })), ['fake-pg', 'fake-remove', 'fake-sql']);
    const sqliteSettings = [{ path: 'proj/settings.py', text: 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db"}}\n' }];
    assert.deepEqual(ids(config(), sqliteSettings), ['fake-remove', 'fake-sql']);
    // The configured database wins over the settings.
    assert.deepEqual(ids(config({ database: 'postgresql' }), sqliteSettings), ['fake-pg', 'fake-remove', 'fake-sql']);
  });

  describe('database detection from settings', () => {
    it('maps ENGINE strings, GIS backends included', () => {
      assert.equal(databaseOfEngine('django.db.backends.postgresql'), 'postgresql');
      assert.equal(databaseOfEngine('django.db.backends.postgresql_psycopg2'), 'postgresql');
      assert.equal(databaseOfEngine('django.contrib.gis.db.backends.postgis'), 'postgresql');
      assert.equal(databaseOfEngine('django.db.backends.mysql'), 'mysql');
      assert.equal(databaseOfEngine('django.contrib.gis.db.backends.mysql'), 'mysql');
      assert.equal(databaseOfEngine('django.db.backends.sqlite3'), 'sqlite');
      assert.equal(databaseOfEngine('django.contrib.gis.db.backends.spatialite'), 'sqlite');
      assert.equal(databaseOfEngine('django_prometheus.db.backends.postgresql'), 'postgresql');
      assert.equal(databaseOfEngine('django.contrib.postgres'), undefined);
      assert.equal(databaseOfEngine('mysql is great'), undefined);
    });

    it('prefers the default database, else the first engine found', () => {
      const several = `
DATABASES = {
    "replica": {"ENGINE": "django.db.backends.mysql"},
    'default': {
        'ENGINE': 'django.contrib.gis.db.backends.postgis',
        'NAME': env("DB_NAME"),
    },
}
`;
      assert.equal(detectDatabase([{ text: several }]), 'postgresql');
      assert.equal(detectDatabase([{ text: 'DATABASES = {"other": {"ENGINE": "django.db.backends.mysql"}, "x": {"ENGINE": "django.db.backends.sqlite3"}}' }]), 'mysql');
      assert.equal(detectDatabase([{ text: 'DATABASES = dict(default=dict(ENGINE="django.db.backends.sqlite3"))' }]), 'sqlite');
      assert.equal(detectDatabase([{ text: 'DEBUG = True\n' }]), undefined);
      assert.equal(detectDatabase([]), undefined);
    });

    it('ignores engines mentioned in comments and tolerates broken settings', () => {
      assert.equal(detectDatabase([{ text: '# ENGINE = "django.db.backends.mysql"\nDATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"' }]), 'sqlite');
      assert.equal(detectDatabase([{ text: '\u0000\u0001 junk' }, { text: ')))(((' }]), undefined);
    });

    it('falls back to PostgreSQL', () => {
      const project = new Project([]);
      assert.equal(project.effectiveDatabase(config()), 'postgresql');
      project.setSettingsFiles([{ path: 'settings.py', text: 'DATABASES = {"default": {"ENGINE": "django.db.backends.mysql"}}' }]);
      assert.equal(project.effectiveDatabase(config()), 'mysql');
      assert.equal(project.effectiveDatabase(config({ database: 'sqlite' })), 'sqlite');
    });
  });

  it('contains a rule that throws and keeps running the others', () => {
    const exploding: FileRule = {
      ...operationRule('fake-explodes', 'RunSQL'),
      check() {
        throw new Error('boom');
      },
    };
    const result = analyze(FILES, { config: config(), rules: [exploding, removeRule] });
    assert.deepEqual(result.errors, [
      { file: 'shop/migrations/0001_initial.py', message: 'rule fake-explodes failed: boom' },
      { file: 'shop/migrations/0002_more.py', message: 'rule fake-explodes failed: boom' },
    ]);
    assert.equal(result.findings.filter((f) => f.rule === 'fake-remove').length, 2);
  });

  describe('graph rules', () => {
    let calls = 0;
    const leafRule: GraphRule = {
      id: 'fake-graph',
      title: 'graph',
      severity: 'error',
      vendors: 'all',
      category: 'graph',
      explanation: EXPLANATION,
      scope: 'graph',
      check(ctx: GraphContext) {
        calls++;
        for (const node of ctx.nodes) {
          const file = ctx.files.find((f) => f.path === node.path)!;
          ctx.report(node.path, { span: file.migrationClass!.nameSpan, message: `${node.app}.${node.name} has ${node.dependencies.length} deps` });
        }
      },
    };

    it('run once over all files, with findings kept per file', () => {
      calls = 0;
      const result = analyze(FILES, { config: config(), rules: [leafRule] });
      assert.equal(calls, 1);
      assert.deepEqual(
        result.findings.map((f) => `${f.file}:${f.start.line} ${f.message}`),
        ['shop/migrations/0001_initial.py:2 shop.0001_initial has 0 deps', 'shop/migrations/0002_more.py:2 shop.0002_more has 1 deps'],
      );
    });

    it('are contained when they throw', () => {
      const broken: GraphRule = {
        ...leafRule,
        check() {
          throw new TypeError('bad graph');
        },
      };
      const result = analyze(FILES, { config: config({ root: '/project' }), rules: [broken, removeRule] });
      assert.deepEqual(result.errors, [{ file: '/project', message: 'rule fake-graph failed: bad graph' }]);
      assert.equal(result.findings.length, 2);
    });

    it('are cached per project version in the incremental Project', () => {
      calls = 0;
      const project = new Project([leafRule]);
      for (const file of FILES) project.setFile(file.path, file.text);
      project.analyzeFile(FILES[0]!.path, config());
      project.analyzeFile(FILES[1]!.path, config());
      assert.equal(calls, 1);
      project.setFile(FILES[1]!.path, FILES[1]!.text + '\n');
      assert.equal(project.analyzeFile(FILES[1]!.path, config()).length, 1);
      assert.equal(calls, 2);
    });

    describe('re-run only when their declared inputs change', () => {
      const SHOP_1 = 'shop/migrations/0001_initial.py';
      const SHOP_2 = 'shop/migrations/0002_more.py';
      const BILLING_1 = 'billing/migrations/0001_initial.py';
      const billing = migration(['migrations.RunSQL("CREATE INDEX i ON t (a)")']);

      function projectWith(rules: GraphRule[]): Project {
        const project = new Project(rules);
        for (const file of [...FILES, { path: BILLING_1, text: billing }]) project.setFile(file.path, file.text);
        return project;
      }

      it('graph: only when a Migration header changes, with findings following the moved header', () => {
        let runs = 0;
        const graphRule: GraphRule = { ...leafRule, dependsOn: 'graph', check: (ctx) => ((runs += 1), leafRule.check(ctx)) };
        const project = projectWith([graphRule]);
        project.analyzeFile(SHOP_2, config());
        const edits = [
          { text: FILES[1]!.text.replace(REMOVE, `${REMOVE}, ${REMOVE}`), reruns: false },
          { text: FILES[1]!.text.replace(REMOVE, 'migrations.RemoveField("order", "legacy"'), reruns: true }, // now a syntax error
          { text: FILES[1]!.text.replace(REMOVE, 'migrations.RemoveField("order", "other")'), reruns: true }, // parses again
          { text: `# moved down a line\n${FILES[1]!.text}`, reruns: true },
          { text: FILES[1]!.text.replace('0001_initial', '0001_missing'), reruns: true },
        ];
        for (const edit of edits) {
          const before = runs;
          project.setFile(SHOP_2, edit.text);
          const findings = project.analyzeFile(SHOP_2, config());
          assert.equal(runs - before, edit.reruns ? 1 : 0, edit.text);
          const fresh = analyze([FILES[0]!, { path: SHOP_2, text: edit.text }, { path: BILLING_1, text: billing }], { config: config(), rules: [graphRule] });
          assert.deepEqual(findings, fresh.findings.filter((finding) => finding.file === SHOP_2));
        }
      });

      it('app: the edited app alone, every app when the graph changes', () => {
        const seen: string[][] = [];
        const appRule: GraphRule = {
          ...leafRule,
          id: 'fake-app',
          dependsOn: 'app',
          check(ctx) {
            seen.push(ctx.files.map((file) => file.path));
            for (const file of ctx.files) ctx.report(file.path, { span: file.operations[0]!.span, message: `${file.app} has ${file.operations.length} operations` });
          },
        };
        const project = projectWith([appRule]);
        const messages = () => project.analyzeAll(config()).findings.map((finding) => `${finding.file}: ${finding.message}`);
        assert.equal(messages().length, 3);
        assert.deepEqual(seen, [[SHOP_1, SHOP_2, BILLING_1]]);
        project.setFile(SHOP_2, migration([RUN_SQL, REMOVE, REMOVE], '[("shop", "0001_initial")]'));
        assert.deepEqual(messages(), [`${BILLING_1}: billing has 1 operations`, `${SHOP_1}: shop has 2 operations`, `${SHOP_2}: shop has 3 operations`]);
        assert.deepEqual(seen[1], [SHOP_1, SHOP_2]);
        messages();
        assert.equal(seen.length, 2, 'nothing changed, nothing re-run');
        project.setFile(SHOP_2, migration([RUN_SQL], '[("shop", "0001_initial"), ("billing", "0001_initial")]'));
        messages();
        assert.deepEqual(seen[2], [SHOP_1, SHOP_2, BILLING_1]);
        project.removeFile(BILLING_1);
        assert.deepEqual(messages(), [`${SHOP_1}: shop has 2 operations`, `${SHOP_2}: shop has 1 operations`]);
      });

      it('app: every app when a workspace fact changes, not when an edit keeps the facts', () => {
        const seen: string[][] = [];
        const factRule: GraphRule = {
          ...leafRule,
          id: 'fake-facts',
          dependsOn: 'app',
          check(ctx) {
            seen.push([...new Set(ctx.files.map((file) => file.app))]);
            const sql = ctx.workspaceFacts('sql', (file) => file.allOperations.filter((op) => op.name === 'RunSQL').map((op) => op.call.args[0]?.text ?? ''));
            for (const file of ctx.files) ctx.report(file.path, { span: file.migrationClass!.nameSpan, message: `sees ${sql.length} RunSQL: ${sql.join(' ')}` });
          },
        };
        const project = projectWith([factRule]);
        project.analyzeAll(config());
        project.setFile(SHOP_1, migration([REMOVE, RUN_SQL, REMOVE]));
        project.analyzeAll(config());
        assert.deepEqual(seen.slice(1), [['shop']]);
        project.setFile(BILLING_1, migration(['migrations.RunSQL("CREATE INDEX j ON t (b)")']));
        const incremental = project.analyzeAll(config());
        assert.deepEqual(seen.slice(2), [['shop', 'billing']]);
        const fresh = analyze(
          [{ path: SHOP_1, text: migration([REMOVE, RUN_SQL, REMOVE]) }, FILES[1]!, { path: BILLING_1, text: migration(['migrations.RunSQL("CREATE INDEX j ON t (b)")']) }],
          { config: config(), rules: [factRule] },
        );
        assert.deepEqual(incremental, fresh);
        assert.ok(incremental.findings.every((finding) => finding.message.includes('"CREATE INDEX j ON t (b)"')));
      });

      it('keep the real graph rules identical to a fresh analysis through edits across apps', () => {
        const foreignKey = (name: string) =>
          `migrations.AddField("order", "${name}", models.ForeignKey("billing.Invoice", on_delete=models.CASCADE, db_index=False))`;
        const files = new Map<string, string>([
          [SHOP_1, migration(['migrations.CreateModel("Order", [("id", models.AutoField(primary_key=True))])', foreignKey('invoice')])],
          [SHOP_2, migration([foreignKey('refund')], '[("shop", "0001_initial")]')],
          [BILLING_1, migration(['migrations.CreateModel("Invoice", [("id", models.BigAutoField(primary_key=True))])'])],
          ['billing/migrations/0002_sql.py', migration([RUN_SQL], '[("billing", "0001_initial")]')],
        ]);
        const project = new Project();
        for (const [path, text] of files) project.setFile(path, text);
        const edits: [string, (text: string) => string][] = [
          ['billing/migrations/0002_sql.py', (text) => text.replace(RUN_SQL, 'migrations.RunSQL("CREATE INDEX x ON shop_order (refund_id)")')],
          [SHOP_1, (text) => text.replace('models.AutoField', 'models.BigAutoField')],
          [SHOP_2, (text) => text.replace('0001_initial', '0001_gone')],
          ['billing/migrations/0002_sql.py', (text) => text.replace('refund_id', 'other_id')],
          [SHOP_1, (text) => text.replace('models.BigAutoField', 'models.AutoField')],
          [SHOP_2, (text) => `# header comment\n${text.replace('0001_gone', '0001_initial')}`],
        ];
        const rules = new Set<string>();
        for (const [path, edit] of edits) {
          files.set(path, edit(files.get(path)!));
          project.setFile(path, files.get(path)!);
          project.analyzeFile(path, config());
          const incremental = project.analyzeAll(config());
          const fresh = analyze([...files].map(([filePath, text]) => ({ path: filePath, text })), { config: config() });
          assert.deepEqual(incremental, fresh, `after editing ${path}`);
          for (const finding of incremental.findings) rules.add(finding.rule);
        }
        for (const id of ['foreign-key-without-index', 'prefer-big-auto-field', 'missing-dependency']) assert.ok(rules.has(id), id);
      });
    });
  });

  it('skips files matching exclude globs, relative to the config root', () => {
    const files = FILES.map((f) => ({ ...f, path: `/repo/${f.path}` }));
    const rel = analyze(files, { config: config({ root: '/repo', exclude: ['shop/migrations/0001_*.py'] }), rules: [removeRule] });
    assert.deepEqual(rel.findings.map((f) => f.file), ['/repo/shop/migrations/0002_more.py']);
    const glob = analyze(FILES, { config: config({ exclude: ['**/0002_*'] }), rules: [removeRule] });
    assert.deepEqual(glob.findings.map((f) => f.file), ['shop/migrations/0001_initial.py']);
    const outside = analyze(files, { config: config({ root: '/elsewhere', exclude: ['shop/**'] }), rules: [removeRule] });
    assert.equal(outside.findings.length, 2, 'a glob relative to another root does not match');
    const legacyBinary = analyze([{ path: 'legacy/migrations/0001_old.py', text: '\u0000' }], { config: config({ exclude: ['legacy/**'] }), rules: [removeRule] });
    assert.deepEqual(legacyBinary, { findings: [], errors: [] }, 'excluded files are not even reported as binary');
  });

  it('skips migrations marked with IgnoreMigration()', () => {
    const ignored = {
      path: 'shop/migrations/0003_ignored.py',
      text: migration(['IgnoreMigration()', REMOVE], '[("shop", "0002_more")]', 'from django_migration_linter import IgnoreMigration'),
    };
    const result = analyze([...FILES, ignored], { config: config(), rules: [removeRule] });
    assert.deepEqual(result.findings.map((f) => f.file), ['shop/migrations/0001_initial.py', 'shop/migrations/0002_more.py']);
    assert.deepEqual(result.errors, []);
  });

  it('ignores files that are not migrations', () => {
    const result = analyze(
      [
        { path: 'shop/models.py', text: migration([REMOVE]) },
        { path: 'shop/migrations/__init__.py', text: migration([REMOVE]) },
        { path: 'shop/migrations/notes.txt', text: migration([REMOVE]) },
      ],
      { config: config(), rules: [removeRule] },
    );
    assert.deepEqual(result, { findings: [], errors: [] });
  });

  it('tells which operations touch the database', () => {
    const touched: string[] = [];
    const probe: FileRule = {
      ...operationRule('fake-probe', ''),
      check(ctx) {
        for (const op of ctx.file.allOperations) touched.push(`${op.name}:${ctx.touchesDatabase(op)}`);
      },
    };
    analyze(
      [
        {
          path: 'shop/migrations/0001_x.py',
          text: migration([
            'migrations.SeparateDatabaseAndState(database_operations=[migrations.RunSQL("x")], state_operations=[migrations.RemoveField("a", "b")])',
            'migrations.RunSQL("y", state_operations=[migrations.AddField("a", "c", models.IntegerField())])',
          ]),
        },
      ],
      { config: config(), rules: [probe] },
    );
    assert.deepEqual(touched, ['SeparateDatabaseAndState:true', 'RunSQL:true', 'RemoveField:false', 'RunSQL:true', 'AddField:false']);
  });

  it('gives rules the replayed state before each operation', () => {
    const seen: string[] = [];
    const probe: FileRule = {
      ...operationRule('fake-state', ''),
      check(ctx) {
        for (const op of ctx.file.operations) {
          const state = ctx.stateBefore(op);
          seen.push(`${op.name}:${state.field('shop', 'order', 'code')?.call?.text ?? '-'}:${state.createdInSameMigration('shop', 'order')}`);
        }
      },
    };
    analyze(
      [
        { path: 'shop/migrations/0001_initial.py', text: migration(['migrations.CreateModel("Order", [("code", models.CharField(max_length=5))])', 'migrations.AlterField("order", "code", models.TextField())']) },
        { path: 'shop/migrations/0002_x.py', text: migration(['migrations.AlterField("order", "code", models.CharField(max_length=9))'], '[("shop", "0001_initial")]') },
      ],
      { config: config(), rules: [probe] },
    );
    assert.deepEqual(seen, ['CreateModel:-:true', 'AlterField:models.CharField(max_length=5):true', 'AlterField:models.TextField():false']);
  });

  describe('bad input', () => {
    it('reports binary files without analysing them', () => {
      const result = analyze([{ path: 'shop/migrations/0009_bin.py', text: 'PK\u0003\u0004\u0000\u0000junk' }, ...FILES], { config: config(), rules: [removeRule] });
      assert.deepEqual(result.errors, [{ file: 'shop/migrations/0009_bin.py', message: 'binary file, not analysed' }]);
      assert.equal(result.findings.length, 2);
    });

    it('recognises binary content by NUL characters or a majority of control characters', () => {
      assert.equal(looksBinary('x = 1\u0000'), true);
      assert.equal(looksBinary('\u0003\u0004\u0005\ufffd\ufffd abc'), true);
      assert.equal(looksBinary('\ufeffclass Migration:\r\n\tpass\f\n'), false);
      assert.equal(looksBinary(''), false);
      assert.equal(looksBinary('s = "caf\u00e9 \ud83d\ude00"\n'), false);
    });

    it('reports syntax errors with their position and still gives best-effort findings', () => {
      const text = migration([REMOVE, 'migrations.AddField("order", "x", models.CharField(max_length=', RUN_SQL]);
      const result = analyze([{ path: 'shop/migrations/0003_broken.py', text }], { config: config(), rules: [removeRule] });
      assert.equal(result.errors.length, 1);
      assert.match(result.errors[0]!.message, /^syntax error at line \d+:\d+; findings may be incomplete$/);
      assert.deepEqual(result.findings.map((f) => f.rule), ['fake-remove']);
    });

    it('never throws on empty, junk, half-typed or huge files', () => {
      const junk = Array.from({ length: 50_000 }, (_, i) => String.fromCharCode(1 + ((i * 7919) % 250))).join('');
      const constants = Array.from({ length: 55_000 }, (_, i) => `CONSTANT_${i} = "${'y'.repeat(80)}"`).join('\n');
      const fiveMegabytes = migration([REMOVE]) + constants;
      assert.ok(fiveMegabytes.length > 5_000_000);
      const inputs: SourceFile[] = [
        { path: 'shop/migrations/0001_empty.py', text: '' },
        { path: 'shop/migrations/0002_junk.py', text: junk },
        { path: 'shop/migrations/0003_half.py', text: 'from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [migrations.RemoveField("order", ' },
        { path: 'shop/migrations/0004_huge.py', text: fiveMegabytes },
      ];
      const result = analyze(inputs, { config: config(), rules: [removeRule, sqlRule] });
      assert.ok(result.errors.every((error) => error.message.startsWith('syntax error') || error.message.startsWith('binary')));
      assert.ok(result.findings.some((f) => f.file === 'shop/migrations/0004_huge.py'));
      assert.ok(result.findings.some((f) => f.file === 'shop/migrations/0003_half.py'));
    });

    it('computes positions on CRLF files', () => {
      const text = migration([RUN_SQL, REMOVE]).split('\n').join('\r\n');
      const result = analyze([{ path: 'shop/migrations/0001_crlf.py', text }], { config: config(), rules: [removeRule] });
      assert.deepEqual(result.findings[0]!.start, { line: 6, character: 8 });
    });
  });

  describe('Project', () => {
    it('adds, updates and removes files, with models and findings per file', () => {
      const project = new Project([removeRule]);
      project.setFile('shop\\migrations\\0001_initial.py', FILES[0]!.text);
      assert.ok(project.model('shop/migrations/0001_initial.py'));
      assert.equal(project.analyzeFile('shop/migrations/0001_initial.py', config()).length, 1);
      project.setFile('shop/migrations/0001_initial.py', migration([REMOVE, REMOVE]));
      assert.equal(project.analyzeFile('shop/migrations/0001_initial.py', config()).length, 2);
      project.removeFile('shop/migrations/0001_initial.py');
      assert.equal(project.model('shop/migrations/0001_initial.py'), undefined);
      assert.deepEqual(project.analyzeFile('shop/migrations/0001_initial.py', config()), []);
      assert.deepEqual(project.analyzeAll(config()), { findings: [], errors: [] });
    });

    it('gives the same results incrementally as a fresh analysis, edit after edit', () => {
      const project = new Project(rules);
      for (const file of FILES) project.setFile(file.path, file.text);
      let text = FILES[1]!.text;
      const edits = [
        (t: string) => t.replace(RUN_SQL, `${RUN_SQL}, ${REMOVE}`),
        (t: string) => t.replace('operations = [', 'operations = [('),
        (t: string) => t.replace('operations = [(', 'operations = ['),
        (t: string) => `# a comment\n${t}`,
        (t: string) => t.replace(REMOVE, ''),
      ];
      for (const edit of edits) {
        text = edit(text);
        project.setFile(FILES[1]!.path, text);
        const incremental = project.analyzeFileWithErrors(FILES[1]!.path, config());
        const fresh = analyze([FILES[0]!, { path: FILES[1]!.path, text }], { config: config(), rules });
        assert.deepEqual(incremental.findings, fresh.findings.filter((f) => f.file === FILES[1]!.path));
        assert.deepEqual(incremental.errors, fresh.errors.filter((e) => e.file === FILES[1]!.path));
      }
    });

    it('exposes the state before an operation for hovers', () => {
      const project = new Project([]);
      project.setFile('shop/migrations/0001_initial.py', migration(['migrations.CreateModel("Order", [("code", models.CharField(max_length=5))])', REMOVE]));
      const model = project.model('shop/migrations/0001_initial.py')!;
      assert.equal(project.stateBefore(model.path, model.operations[1]!).field('shop', 'order', 'code')?.type, 'CharField');
      assert.equal(project.stateBefore('shop/migrations/missing.py', model.operations[1]!).model('shop', 'order'), undefined);
    });
  });
});

describe('a file the engine fails on', () => {
  it('is reported on its own while the other files are still analysed', () => {
    // Passes the binary check, then makes the parser throw: stands in for a parser or model-builder bug.
    const poisoned = {
      length: 40,
      includes: () => false,
      charCodeAt: () => 65,
      slice: () => {
        throw new Error('parser exploded');
      },
    } as unknown as string;
    const rule = operationRule('remove', 'RemoveField');
    const result = analyze([{ path: 'blog/migrations/0001_initial.py', text: poisoned }, ...FILES], { config: config(), rules: [rule] });
    assert.deepEqual(
      result.errors.map((e) => e.file),
      ['blog/migrations/0001_initial.py'],
    );
    assert.match(result.errors[0]!.message, /^could not be analysed \(internal error: .+\); please report it with this file$/);
    assert.equal(result.findings.filter((f) => f.rule === 'remove').length, 2);
  });
});

describe('one risk, one finding', () => {
  const text = `from django.db import migrations, models


def backfill_totals(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Order.objects.update(shipping_cost=0)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField(model_name="order", name="shipping_cost", field=models.DecimalField(decimal_places=2, max_digits=10, null=True)),
        migrations.RunPython(backfill_totals, migrations.RunPython.noop),
    ]
`;
  const files = [{ path: 'shop/migrations/0002_shipping.py', text }];

  it('reports a RunPython behind a held lock once, as exclusive-lock-held-by-slow-step, naming the mix too', () => {
    const { findings } = analyze(files, { config: config({ select: ['exclusive-lock-held-by-slow-step', 'mixed-schema-and-data'] }) });
    assert.deepEqual(findings.map((finding) => finding.rule), ['exclusive-lock-held-by-slow-step']);
    assert.match(findings[0]!.message, /\(it also mixes schema and data changes in one transaction\); split the migration$/);
  });

  it('keeps mixed-schema-and-data when the lock rule is switched off, and an ignore for either keeps working', () => {
    const alone = analyze(files, { config: config({ select: ['mixed-schema-and-data'] }) });
    assert.deepEqual(alone.findings.map((finding) => finding.rule), ['mixed-schema-and-data']);
    const ignored = text.replace('migrations.RunPython(backfill_totals', '# migration-guard: ignore exclusive-lock-held-by-slow-step\n        migrations.RunPython(backfill_totals');
    const { findings } = analyze([{ path: files[0]!.path, text: ignored }], { config: config({ select: ['exclusive-lock-held-by-slow-step', 'mixed-schema-and-data', 'unused-ignore'] }) });
    assert.deepEqual(findings.map((finding) => finding.rule), ['mixed-schema-and-data']);
  });
});

describe('lock wording follows the transaction', () => {
  const text = (atomic: string) => `from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
${atomic}
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField(model_name="order", name="coupon", field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to="shop.coupon")),
    ]
`;
  const message = (atomic: string) =>
    analyze([{ path: 'shop/migrations/0002_coupon.py', text: text(atomic) }], { config: config({ select: ['add-field-with-index'] }) }).findings[0]?.message;

  it('says the ADD COLUMN lock is held through the build in an atomic migration', () => {
    assert.match(message('') ?? '', /while ADD COLUMN's ACCESS EXCLUSIVE lock is held; reads and writes of shop_order wait/);
  });

  it('says the ADD COLUMN has committed and only writes wait under atomic = False', () => {
    assert.match(message('    atomic = False\n') ?? '', /after ADD COLUMN has committed \(atomic = False\); its SHARE lock blocks writes to shop_order \(not reads\)/);
  });
});

describe('proxy models', () => {
  it('are named by the concrete table they share (a proxy of auth.User is auth_user)', () => {
    const tableRule: FileRule = {
      id: 'table-of',
      title: 'table-of',
      severity: 'info',
      vendors: 'all',
      category: 'hygiene',
      explanation: EXPLANATION,
      scope: 'file',
      check(ctx: FileContext) {
        for (const op of ctx.file.operations) if (op.name === 'AlterModelOptions') ctx.report({ span: op.span, operation: op, message: modelNames(ctx, op)?.table ?? '?' });
      },
    };
    const files: SourceFile[] = [
      {
        path: 'auth/migrations/0001_initial.py',
        text: migration(['migrations.CreateModel(name="User", fields=[("id", models.AutoField(primary_key=True))])']),
      },
      {
        path: 'staff/migrations/0001_initial.py',
        text: migration(
          ['migrations.CreateModel(name="StaffMember", fields=[], options={"proxy": True}, bases=("auth.user",))', 'migrations.AlterModelOptions(name="staffmember", options={"ordering": ["id"]})'],
          '[("auth", "0001_initial")]',
        ),
      },
    ];
    const { findings } = analyze(files, { config: config(), rules: [tableRule] });
    assert.deepEqual(findings.map((finding) => finding.message), ['auth_user']);
  });
});
