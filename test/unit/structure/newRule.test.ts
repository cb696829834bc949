// The rule scaffold (scripts/newRule.ts, `npm run new-rule -- id`): run in a temporary copy of the repository, the
// rule it writes typechecks, is registered, fires on its fire fixture and stays silent on its silent one, and the
// regenerated docs list it.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArguments, registered } from '../../../scripts/newRule';

const REPO = join(__dirname, '..', '..', '..');
const TSX = join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

describe('npm run new-rule', function () {
  this.timeout(180_000);

  it('rejects ids that are not kebab-case and options it does not know', () => {
    assert.throws(() => parseArguments(['AddThing']), /kebab-case/);
    assert.throws(() => parseArguments(['add-thing', '--colour', 'red']), /unknown option/);
    assert.throws(() => parseArguments(['add-thing', '--category', 'graph']), /graph rules/);
  });

  it('registers the rule in its section, keeping unused-ignore last', () => {
    const index = readFileSync(join(REPO, 'server/src/engine/rules/index.ts'), 'utf8');
    const sqlRule = registered(index, parseArguments(['sql-new-check', '--category', 'sql']));
    assert.match(sqlRule, /import \{ sqlNewCheck \} from '\.\/sqlNewCheck';\n/);
    assert.match(sqlRule, /\n {2}sqlNewCheck,\n {2}unusedIgnore,\n\];/);
    const lockRule = registered(index, parseArguments(['lock-new-check']));
    assert.match(lockRule, /\n {2}sqliteTableRebuild,\n {2}lockNewCheck,\n\];/);
  });

  it('writes a rule that typechecks, loads, fires on its fire fixture and not on its silent one, and is in the docs', () => {
    const root = mkdtempSync(join(tmpdir(), 'mg-new-rule-'));
    try {
      for (const part of ['server', 'scripts', 'docs', 'README.md', 'package.json', 'tsconfig.json', 'client/src/generated', 'test/postgres/lockShapes.ts']) cpSync(join(REPO, part), join(root, part), { recursive: true });
      symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
      execFileSync(process.execPath, [TSX, 'scripts/newRule.ts', 'add-field-somewhere-new', '--operation', 'AddField'], { cwd: root, stdio: 'pipe' });
      execFileSync(process.execPath, [TSC, '-p', 'server'], { cwd: root, stdio: 'pipe' });
      writeFileSync(
        join(root, 'scripts', 'probe.ts'),
        `import { readFileSync } from 'node:fs';
import { analyze } from '../server/src/engine/analyze';
import { DEFAULT_CONFIG } from '../server/src/engine/config/types';
import { ruleById } from '../server/src/engine/rules/index';
const config = { ...DEFAULT_CONFIG, select: ['add-field-somewhere-new'] };
const lines = (name: string) => analyze([{ path: 'shop/migrations/0002_x.py', text: readFileSync('test/fixtures/rules/add-field-somewhere-new/' + name, 'utf8') }], { config }).findings.map((f) => f.rule + ':' + (f.start.line + 1));
console.log(JSON.stringify({ registered: ruleById('add-field-somewhere-new')?.title, fire: lines('fire-existing-table.py'), silent: lines('silent-new-table.py') }));
`,
      );
      const probe = JSON.parse(execFileSync(process.execPath, [TSX, 'scripts/probe.ts'], { cwd: root, encoding: 'utf8' })) as { registered?: string; fire: string[]; silent: string[] };
      assert.deepEqual(probe, { registered: 'Add field somewhere new', fire: ['add-field-somewhere-new:11'], silent: [] });
      assert.match(readFileSync(join(root, 'test/fixtures/rules/add-field-somewhere-new/fire-existing-table.py'), 'utf8'), /migrations\.AddField\( {2}# expect: add-field-somewhere-new\n/);
      assert.match(readFileSync(join(root, 'docs', 'rules.md'), 'utf8'), /\n### add-field-somewhere-new\n/);
      assert.match(readFileSync(join(root, 'README.md'), 'utf8'), /\| \[`add-field-somewhere-new`\]\(docs\/rules\.md#add-field-somewhere-new\) \| warning \|/);
      assert.throws(() => execFileSync(process.execPath, [TSX, 'scripts/newRule.ts', 'add-field-somewhere-new', '--no-docs'], { cwd: root, stdio: 'pipe' }), /exists already|Command failed/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
