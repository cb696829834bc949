// The VS Code client does not carry the engine's rules: it reads a generated metadata-only catalogue, and its
// bundle's source map lists no rule, SQL or state code.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_RULES, renderClientRules } from '../../../scripts/generateDocs';

const ROOT = join(__dirname, '..', '..', '..');

describe('client bundle', () => {
  it('client/src/generated/rules.json matches the rules (npm run docs regenerates it)', () => {
    assert.equal(readFileSync(CLIENT_RULES, 'utf8'), renderClientRules());
  });

  it('dist/extension.js holds no rule, SQL, state or format code (read from its source map)', function () {
    const map = join(ROOT, 'dist', 'extension.js.map');
    if (!existsSync(map)) this.skip(); // npm test builds first; a bare mocha run may not have
    const sources = (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources;
    assert.ok(sources.some((source) => source.includes('client/src/extension.ts')), 'the map is the client bundle');
    const engine = sources.filter((source) => /server\/src\/engine\/(rules|sql|state|format|analyze|checkProject)\b/.test(source));
    assert.deepEqual(engine, []);
  });

  it('dist/extension.js bundles jsonc-parser from its ES module build (its UMD build needs files the .vsix lacks)', function () {
    const map = join(ROOT, 'dist', 'extension.js.map');
    if (!existsSync(map)) this.skip();
    const sources = (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources.filter((s) => s.includes('jsonc-parser'));
    assert.ok(sources.length > 1, 'jsonc-parser is in the bundle');
    assert.deepEqual(sources.filter((s) => s.includes('/umd/')), []);
  });
});
