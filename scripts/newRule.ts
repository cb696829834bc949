// Scaffolds a rule the way the project lays rules out (like squawk's `xtask new_rule`): the rule file in
// server/src/engine/rules/ (a working check of one operation kind on an existing table, with a declared fix example
// to uncomment), its registration in rules/index.ts, a fire and a silent fixture in test/fixtures/rules/<id>/, and
// the regenerated docs (`npm run docs`). Usage:
//
//   npm run new-rule -- some-rule-id [--operation AddField] [--category locking] [--severity warning] [--root DIR] [--no-docs]
//
// --root writes into another copy of the repository (the scaffold's own test uses a temporary one).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CATEGORIES = ['compatibility', 'locking', 'transactions', 'sql', 'hygiene', 'graph'] as const;
const SEVERITIES = ['error', 'warning', 'info'] as const;
/** The rule lists of rules/index.ts, by the categories their section holds. */
const LOCKING_LIST = 'const compatibilityAndLockingRules: Rule[] = [';
const OTHER_LIST = 'const transactionSqlHygieneGraphRules: Rule[] = [';

export interface NewRuleOptions {
  id: string;
  operation: string;
  category: (typeof CATEGORIES)[number];
  severity: (typeof SEVERITIES)[number];
  root: string;
  docs: boolean;
}

export function parseArguments(argv: readonly string[]): NewRuleOptions {
  const options: NewRuleOptions = { id: '', operation: 'AddField', category: 'locking', severity: 'warning', root: resolve(__dirname, '..'), docs: true };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    if (argument === '--operation') options.operation = value();
    else if (argument === '--category') options.category = oneOf(CATEGORIES, value(), '--category');
    else if (argument === '--severity') options.severity = oneOf(SEVERITIES, value(), '--severity');
    else if (argument === '--root') options.root = resolve(value());
    else if (argument === '--no-docs') options.docs = false;
    else if (argument.startsWith('-')) throw new Error(`unknown option ${argument}`);
    else if (options.id) throw new Error(`one rule id at a time (got ${options.id} and ${argument})`);
    else options.id = argument;
  }
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(options.id)) throw new Error('the rule id must be kebab-case words, e.g. add-field-with-index');
  if (!/^[A-Z][A-Za-z0-9]*$/.test(options.operation)) throw new Error('--operation must be an operation class name, e.g. AddField');
  if (options.category === 'graph') throw new Error('graph rules (scope "graph") are written by hand: see rules/missingDependency.ts');
  return options;
}

function oneOf<T extends string>(allowed: readonly T[], value: string, option: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${option} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function camelName(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function titleOf(id: string): string {
  const words = id.split('-').join(' ');
  return words[0]!.toUpperCase() + words.slice(1);
}

export function ruleFile(options: NewRuleOptions): string {
  const { id, operation } = options;
  return `// ${titleOf(id)}: say in one line what goes wrong in production, and why.
import type { FileRule } from './rule';
// import { setAtomicFalse } from '../fixes/atomic';

export const ${camelName(id)}: FileRule = {
  id: '${id}',
  title: '${titleOf(id)}',
  severity: '${options.severity}',
  vendors: 'all',
  category: '${options.category}',
  scope: 'file',
  explanation: {
    summary: '\`${operation}\` on a table that holds rows: say why that is risky in production.',
    sql: '-- the SQL Django runs for it',
    lock: '',
    blocks: 'What the lock blocks, or what breaks (old code\\'s queries, INSERTs, ...).',
    rewrite: 'Whether it rewrites or scans the table.',
    safeAlternative: 'The safe pattern, in words.',
    safeCode: 'migrations.${operation}(...)',
    safeCodeLanguage: 'python',
  },
  operations: ['${operation}'],
  checkOperation(ctx, op) {
    // Tables created earlier in this migration hold no rows; state-only operations touch no table.
    const facts = ctx.facts(op);
    if (!facts.changesExistingTable) return;
    const names = facts.model;
    ctx.report({
      span: op.span,
      message: \`\${op.name}\${names ? \` \${names.label} on \${names.table}\` : ''}: say what it does to the table\`,
      operation: op,
      // A quick fix is declared here, built from the edit primitives of ../fixes/; test/unit/engine/fixes/fixes.test.ts applies it
      // to the fire fixtures (UPDATE_RULE_SNAPSHOTS=1 writes the snapshot: read the diff).
      // fixes: [{ title: 'Set \`atomic = False\` on the migration', safe: true, edits: [setAtomicFalse()] }],
    });
  },
};
`;
}

function operationCall(operation: string, marker: string): string {
  const field = operation === 'AddField' || operation === 'AlterField' ? '\n            field=models.TextField(null=True),' : '';
  return `        migrations.${operation}(${marker}
            model_name="order",
            name="note",${field}
        ),`;
}

function migrationFile(operations: string): string {
  return `from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
${operations}
    ]
`;
}

export function fixtures(options: NewRuleOptions): Record<string, string> {
  return {
    'fire-existing-table.py': migrationFile(operationCall(options.operation, `  # expect: ${options.id}`)),
    // The same operation on a table this migration creates: empty, so nothing to report.
    'silent-new-table.py': migrationFile(`        migrations.CreateModel(
            name="Order",
            fields=[("id", models.BigAutoField(primary_key=True))],
        ),
${operationCall(options.operation, '')}`),
  };
}

/** rules/index.ts with the rule imported and added to its section's list (before unusedIgnore, which stays last). */
export function registered(index: string, options: NewRuleOptions): string {
  const name = camelName(options.id);
  const lines = index.split('\n');
  const lastImport = lines.map((line, at) => (/^import \{ \w+ \} from '\.\/[\w/]+';$/.test(line) ? at : -1)).reduce((a, b) => Math.max(a, b), -1);
  if (lastImport < 0) throw new Error('rules/index.ts: no rule import found');
  lines.splice(lastImport + 1, 0, `import { ${name} } from './${name}';`);
  const list = options.category === 'compatibility' || options.category === 'locking' ? LOCKING_LIST : OTHER_LIST;
  const start = lines.indexOf(list);
  if (start < 0) throw new Error(`rules/index.ts: no \`${list}\``);
  let end = start + 1;
  while (end < lines.length && lines[end] !== '];') end++;
  if (end >= lines.length) throw new Error(`rules/index.ts: \`${list}\` is not closed`);
  const at = lines[end - 1]?.trim() === 'unusedIgnore,' ? end - 1 : end;
  lines.splice(at, 0, `  ${name},`);
  return lines.join('\n');
}

export function scaffold(options: NewRuleOptions): string[] {
  const rulesDir = join(options.root, 'server', 'src', 'engine', 'rules');
  const rulePath = join(rulesDir, `${camelName(options.id)}.ts`);
  const indexPath = join(rulesDir, 'index.ts');
  const fixtureDir = join(options.root, 'test', 'fixtures', 'rules', options.id);
  const index = readFileSync(indexPath, 'utf8');
  if (existsSync(rulePath) || existsSync(fixtureDir) || index.includes(`'./${camelName(options.id)}'`)) throw new Error(`${options.id} exists already`);
  writeFileSync(rulePath, ruleFile(options));
  writeFileSync(indexPath, registered(index, options));
  mkdirSync(fixtureDir, { recursive: true });
  const written = [rulePath, indexPath];
  for (const [name, text] of Object.entries(fixtures(options))) {
    writeFileSync(join(fixtureDir, name), text);
    written.push(join(fixtureDir, name));
  }
  if (options.docs) execFileSync('npm', ['run', '--silent', 'docs'], { cwd: options.root, stdio: 'inherit' });
  return written;
}

if (require.main === module) {
  try {
    const options = parseArguments(process.argv.slice(2));
    for (const path of scaffold(options)) console.log(`wrote ${path}`);
    console.log(`next: write the check and its explanation, make the fixtures real, then \`npx mocha test/unit/engine/rules/ruleFixtures.test.ts\` (see CONTRIBUTING.md)`);
  } catch (error) {
    console.error(`new-rule: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
