import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseManagePy, findManagePyFiles, managePyForFile } from '../../../client/src/django/managePyDiscovery';
import {
  discoverInterpreter,
  interpreterCandidates,
  probeInterpreterProcess,
  type InterpreterProbe,
  type ProbeOutcome,
} from '../../../client/src/django/pythonDiscovery';

const DJANGO_MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x.settings')\nfrom django.core.management import execute_from_command_line\n";

describe('client: manage.py discovery', () => {
  let root: string;
  const write = (rel: string, text = DJANGO_MANAGE): void => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mg-managepy-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds manage.py files in subfolders, shallow ones first', async () => {
    write('manage.py');
    write('services/api/manage.py');
    write('b/manage.py');
    assert.deepEqual(await findManagePyFiles(root), [join(root, 'manage.py'), join(root, 'b/manage.py'), join(root, 'services/api/manage.py')]);
  });

  it('skips node_modules, virtual environments, .git and other hidden folders', async () => {
    write('node_modules/pkg/manage.py');
    write('.venv/lib/manage.py');
    write('venv/manage.py');
    write('.git/manage.py');
    write('env/lib/python3.11/site-packages/django/conf/project_template/manage.py');
    writeFileSync(join(root, 'env', 'pyvenv.cfg'), 'home = /usr/bin\n');
    write('app/manage.py');
    assert.deepEqual(await findManagePyFiles(root), [join(root, 'app/manage.py')]);
  });

  it('ignores a manage.py that is not Django', async () => {
    write('flask/manage.py', 'from flask_script import Manager\n');
    assert.deepEqual(await findManagePyFiles(root), []);
  });

  it('respects the depth and result limits and survives symlink cycles and missing folders', async () => {
    write('a/b/c/d/manage.py');
    symlinkSync(root, join(root, 'a', 'loop'));
    assert.deepEqual(await findManagePyFiles(root, { maxDepth: 3 }), []);
    assert.deepEqual(await findManagePyFiles(root, { maxDepth: 4 }), [join(root, 'a/b/c/d/manage.py')]);
    write('x/manage.py');
    assert.equal((await findManagePyFiles(root, { maxResults: 1 })).length, 1);
    assert.deepEqual(await findManagePyFiles(join(root, 'does-not-exist')), []);
  });

  it('picks the nearest manage.py above a file', () => {
    const files = ['/w/manage.py', '/w/services/api/manage.py'];
    assert.equal(managePyForFile(files, '/w/services/api/shop/migrations/0001_initial.py'), '/w/services/api/manage.py');
    assert.equal(managePyForFile(files, '/w/blog/migrations/0001_initial.py'), '/w/manage.py');
    assert.equal(managePyForFile(files, '/elsewhere/x.py'), undefined);
    assert.equal(managePyForFile(['/w/api/manage.py'], '/w/api2/x.py'), undefined);
  });

  it('chooses: the owner of the file, the only one, the remembered one, else asks', () => {
    const two = ['/w/a/manage.py', '/w/b/manage.py'];
    assert.deepEqual(chooseManagePy({ candidates: two, file: '/w/b/shop/migrations/0001_initial.py' }), { kind: 'found', managePy: '/w/b/manage.py' });
    assert.deepEqual(chooseManagePy({ candidates: ['/w/a/manage.py'], file: '/elsewhere.py' }), { kind: 'found', managePy: '/w/a/manage.py' });
    assert.deepEqual(chooseManagePy({ candidates: two, remembered: '/w/a/manage.py' }), { kind: 'found', managePy: '/w/a/manage.py' });
    assert.deepEqual(chooseManagePy({ candidates: two, remembered: '/w/gone/manage.py' }), { kind: 'ask', candidates: two });
    assert.deepEqual(chooseManagePy({ candidates: [] }), { kind: 'none' });
  });
});

describe('client: interpreter discovery', () => {
  const info = (django: string | null): ProbeOutcome => ({ ok: true, info: { executable: '/x', version: '3.11.2', django } });
  const probeFrom = (answers: Record<string, ProbeOutcome>, asked: string[] = []): InterpreterProbe => async (command) => {
    asked.push(command);
    return answers[command] ?? { ok: false, error: 'not found' };
  };

  it('orders candidates: Python extension, setting, python3, python (without duplicates)', () => {
    assert.deepEqual(interpreterCandidates({ pythonExtension: '/venv/bin/python', setting: ' /opt/py ' }), [
      { command: '/venv/bin/python', source: 'python-extension' },
      { command: '/opt/py', source: 'setting' },
      { command: 'python3', source: 'path' },
      { command: 'python', source: 'path' },
    ]);
    assert.deepEqual(interpreterCandidates({ setting: 'python3' }).map((c) => [c.command, c.source]), [['python3', 'setting'], ['python', 'path']]);
  });

  it("uses the Python extension's interpreter first", async () => {
    const asked: string[] = [];
    const found = await discoverInterpreter(interpreterCandidates({ pythonExtension: '/venv/bin/python', setting: '/opt/py' }), probeFrom({ '/venv/bin/python': info('4.2'), '/opt/py': info('5.0') }, asked));
    assert.ok(found.ok);
    assert.equal(found.interpreter.command, '/venv/bin/python');
    assert.deepEqual(asked, ['/venv/bin/python']);
  });

  it('falls back to the setting, then PATH, when a candidate does not run', async () => {
    const found = await discoverInterpreter(interpreterCandidates({ pythonExtension: '/gone/python', setting: '/opt/py' }), probeFrom({ '/opt/py': info('4.2'), python3: info('4.2') }));
    assert.ok(found.ok && found.interpreter.source === 'setting');
    const fromPath = await discoverInterpreter(interpreterCandidates({}), probeFrom({ python: info('3.2') }));
    assert.ok(fromPath.ok && fromPath.interpreter.command === 'python');
  });

  it("keeps the user's choice without Django, with a warning", async () => {
    const found = await discoverInterpreter(interpreterCandidates({ setting: '/opt/py' }), probeFrom({ '/opt/py': info(null), python3: info('4.2') }));
    assert.ok(found.ok);
    assert.equal(found.interpreter.command, '/opt/py');
    assert.match(found.interpreter.warning ?? '', /Django is not installed for \/opt\/py/);
  });

  it('prefers a PATH interpreter that has Django, else the first that runs', async () => {
    const withDjango = await discoverInterpreter(interpreterCandidates({}), probeFrom({ python3: info(null), python: info('3.2') }));
    assert.ok(withDjango.ok && withDjango.interpreter.command === 'python' && withDjango.interpreter.warning === undefined);
    const without = await discoverInterpreter(interpreterCandidates({}), probeFrom({ python3: info(null), python: info(null) }));
    assert.ok(without.ok && without.interpreter.command === 'python3' && without.interpreter.warning);
  });

  it('says what was tried when nothing works', async () => {
    const none = await discoverInterpreter(interpreterCandidates({ setting: '/opt/py' }), probeFrom({ '/opt/py': { ok: false, error: 'does not run Python code (exit code 1)' } }));
    assert.ok(!none.ok);
    assert.match(none.message, /No working Python interpreter was found/);
    assert.match(none.message, /\/opt\/py \(migrationGuard\.pythonPath\): does not run Python code/);
    assert.match(none.message, /python3 \(PATH\): not found/);
  });

  it('probes a real interpreter and a missing one', async () => {
    const probe = probeInterpreterProcess({ cwd: tmpdir() });
    const missing = await probe('/definitely/not/python');
    assert.deepEqual(missing, { ok: false, error: 'not found' });
    const notPython = await probe('/bin/false');
    assert.ok(!notPython.ok && /does not run Python code/.test(notPython.error));
    const real = await probe('python3');
    if (real.ok) assert.match(real.info.version, /^3\.\d+\.\d+$/);
  });
});
