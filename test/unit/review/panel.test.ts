import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ALL_RULES } from '../../../server/src/engine/rules/index';
import type { StateMessage } from '../../../client/src/review/protocol';
import type { FindingsResult } from '../../../server/src/lsp/clientContract';
import { createFakeVscode, FakePanel, installFakeVscode, Uri, type FakeVscode } from './fakeVscode';

type PanelModule = typeof import('../../../client/src/review/panel');

const repoRoot = resolve(__dirname, '../../..');

/** Polls (bounded) for something the host does asynchronously. */
async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) assert.fail('timed out waiting for the host');
    await new Promise((done) => setTimeout(done, 5));
  }
}

function lastState(panel: FakePanel): StateMessage {
  const states = panel.webview.posted.filter((m): m is StateMessage => (m as { type: string }).type === 'state');
  assert.ok(states.length > 0, 'the host posted a state');
  return states.at(-1)!;
}

describe('review panel host (with a stand-in for the vscode API)', () => {
  let fake: FakeVscode;
  let uninstall: () => void;
  let panelModule: PanelModule;
  let disposables: { dispose(): unknown }[] = [];
  const dueCounts: number[] = [];

  before(() => {
    fake = createFakeVscode();
    uninstall = installFakeVscode(fake);
    // Loaded only after the fake is installed, so its `import * as vscode` gets the fake.
    panelModule = require('../../../client/src/review/panel') as PanelModule;
  });

  after(() => uninstall());

  function register(workspaceFindings?: () => Promise<FindingsResult | undefined>): void {
    for (const d of disposables) d.dispose();
    const context = { extensionUri: Uri.file('/ext'), globalState: fake.globalState };
    // The fake stands in for the real types at runtime; the cast is only for the compiler.
    disposables = panelModule.registerReviewPanel(context as never, { onDueCountChanged: (s) => dueCounts.push(s.total), workspaceFindings });
  }

  beforeEach(() => {
    fake.panels.length = 0;
    fake.files.clear();
    fake.warnings.length = 0;
    fake.infos.length = 0;
    fake.shownDocuments.length = 0;
    fake.diagnostics.length = 0;
    register();
  });

  afterEach(() => {
    for (const d of disposables) d.dispose();
    disposables = [];
  });

  it('registers both commands and a serializer for the panel', () => {
    assert.ok(fake.commands.has('migrationGuard.reviewFlashcards'));
    assert.ok(fake.commands.has('migrationGuard.reviewRule'));
    assert.ok(fake.serializers.has('migrationGuard.review'));
  });

  it('opens one panel with scripts, resources limited to media/ and dist/, and no retained context', async () => {
    await fake.commands.get('migrationGuard.reviewFlashcards')!();
    await fake.commands.get('migrationGuard.reviewFlashcards')!();
    assert.equal(fake.panels.length, 1, 'a second run reveals the same panel');
    const panel = fake.panels[0]!;
    assert.equal(panel.viewType, 'migrationGuard.review');
    assert.equal(panel.revealed, 1);
    for (const options of [panel.options, panel.webview.options]) {
      assert.equal(options.enableScripts, true);
      assert.equal(options.retainContextWhenHidden, undefined);
      assert.deepEqual((options.localResourceRoots as { path: string }[]).map((u) => u.path), ['/ext/media', '/ext/dist/webview']);
    }
    const html = panel.webview.html;
    const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
    assert.ok(nonce && nonce.length >= 24, 'a nonce from crypto.randomBytes');
    assert.ok(
      html.includes(
        `content="default-src 'none'; style-src https://fake.vscode-cdn.net; script-src 'nonce-${nonce}'; img-src https://fake.vscode-cdn.net"`,
      ),
    );
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://fake.vscode-cdn.net/ext/dist/webview/webview.js"></script>`));
    assert.ok(html.includes('href="https://fake.vscode-cdn.net/ext/media/review.css"'));
    assert.doesNotMatch(html, /\son[a-z]+=|style=/i, 'no inline handlers or styles');
  });

  it('answers the webview and ignores invalid messages', async () => {
    await fake.commands.get('migrationGuard.reviewFlashcards')!();
    const panel = fake.panels[0]!;
    const before = panel.webview.posted.length;
    await panel.webview.send({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good', evil: true });
    await panel.webview.send({ type: 'eval', code: 'x' });
    assert.equal(panel.webview.posted.length, before);
    await panel.webview.send({ type: 'ready' });
    const state = lastState(panel);
    assert.equal(state.current?.card.id, 'seed-what-is-a-migration');
    const writes = fake.globalState.writes;
    await panel.webview.send({ type: 'answer', cardId: 'seed-what-is-a-migration', grade: 'good' });
    assert.equal(fake.globalState.writes, writes + 1, 'saved in globalState after the answer');
    assert.equal(dueCounts.at(-1), lastState(panel).counts.new + lastState(panel).counts.learning + lastState(panel).counts.due);
  });

  it('opens the card of the rule named by the hover link', async () => {
    const rule = ALL_RULES[0];
    assert.ok(rule, 'the catalogue has rules');
    await fake.commands.get('migrationGuard.reviewRule')!(rule.id);
    const panel = fake.panels[0]!;
    await panel.webview.send({ type: 'ready' });
    assert.equal(lastState(panel).current?.card.ruleId, rule.id);
    assert.equal(lastState(panel).show, true, 'the webview is told to open the Review tab on it');
    await panel.webview.send({ type: 'ready' });
    assert.equal(lastState(panel).show, undefined, 'only once');
    await fake.commands.get('migrationGuard.reviewRule')!('no-such-rule');
    assert.match(fake.infos.at(-1) ?? '', /There is no flashcard for rule "no-such-rule"/);
  });

  const MIGRATION = '/work/shop/shop/migrations/0002_order_created_idx.py';
  const MIGRATION_TEXT = [
    'from django.db import migrations, models',
    '',
    'class Migration(migrations.Migration):',
    '    operations = [',
    '        migrations.AddIndex(',
    '            model_name="order",',
    '            index=models.Index(fields=["created"], name="order_created_idx"),  # (not a bracket',
    '        ),',
    '        migrations.RunSQL("SELECT 1"),',
    '    ]',
  ].join('\n');

  it('puts the card of a rule that fires in the workspace in today\'s reviews, with the user\'s operation', async () => {
    fake.files.set(MIGRATION, MIGRATION_TEXT);
    const findings: FindingsResult = {
      files: [
        {
          uri: `file://${MIGRATION}`,
          counts: { error: 0, warning: 2, info: 0 },
          findings: [
            { rule: 'add-index-non-concurrent', severity: 'warning', message: 'm', line: 4 },
            { rule: 'add-index-non-concurrent', severity: 'warning', message: 'm', line: 8 },
          ],
        },
      ],
    };
    register(() => Promise.resolve(findings));
    // As on activation: the findings are read when the extension starts, before the panel is opened.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fake.commands.get('migrationGuard.reviewFlashcards')!();
    const panel = fake.panels[0]!;
    await panel.webview.send({ type: 'ready' });
    await waitFor(() => lastState(panel).current?.card.id === 'rule:add-index-non-concurrent');
    const state = lastState(panel);
    assert.deepEqual(state.current!.card.example, {
      location: 'shop/migrations/0002_order_created_idx.py:5',
      code: 'migrations.AddIndex(\n    model_name="order",\n    index=models.Index(fields=["created"], name="order_created_idx"),  # (not a bracket\n)',
      count: 2,
    });
    assert.equal(state.current!.isDue, true, 'due today, ahead of the seed cards');
    // Progress is saved after the answer, as for any card; the card is then not due again today.
    const writes = fake.globalState.writes;
    await panel.webview.send({ type: 'answer', cardId: 'rule:add-index-non-concurrent', grade: 'easy' });
    assert.equal(fake.globalState.writes, writes + 1);
    assert.notEqual(lastState(panel).current?.card.id, 'rule:add-index-non-concurrent');
  });

  it('learns the firing rules from the diagnostics when the server cannot answer, and follows their changes', async () => {
    fake.files.set(MIGRATION, MIGRATION_TEXT);
    register(() => Promise.reject(new Error('the server is starting')));
    await fake.commands.get('migrationGuard.reviewFlashcards')!();
    const panel = fake.panels[0]!;
    await panel.webview.send({ type: 'ready' });
    assert.notEqual(lastState(panel).current?.card.id, 'rule:remove-field');
    fake.diagnostics.push(
      [Uri.file(MIGRATION), [{ source: 'migration-guard', code: 'remove-field', message: 'm', range: { start: { line: 4 } } }]],
      [Uri.file('/work/shop/other.py'), [{ source: 'pylint', code: 'remove-field', message: 'm', range: { start: { line: 0 } } }]],
    );
    const onScreen = lastState(panel).current!.card.id;
    const posted = panel.webview.posted.length;
    await fake.diagnosticsChanged([MIGRATION]);
    await waitFor(() => panel.webview.posted.length > posted, 4000);
    assert.equal(lastState(panel).current?.card.id, onScreen, 'the card on screen stays');
    await panel.webview.send({ type: 'answer', cardId: onScreen, grade: 'good' });
    assert.equal(lastState(panel).current?.card.id, 'rule:remove-field', 'the rule firing in the workspace comes next');
    assert.equal(lastState(panel).current!.card.example!.location, 'shop/migrations/0002_order_created_idx.py:5');
  });

  it('restores a panel after a window reload through the serializer', async () => {
    const panel = new FakePanel('migrationGuard.review', 'Migration Flashcards', {});
    await fake.serializers.get('migrationGuard.review')!.deserializeWebviewPanel(panel, { version: 1 });
    assert.match(panel.webview.html, /Content-Security-Policy/);
    assert.equal(panel.webview.options.enableScripts, true);
    await panel.webview.send({ type: 'ready', focusCardId: 'seed-avoid-downtime' });
    assert.equal(lastState(panel).current?.card.id, 'seed-avoid-downtime');
  });

  it('merges the workspace card file and warns about a bad one', async () => {
    fake.files.set('/work/shop/.vscode/migration-cards.json', '[{"question": "Ours?", "answer": "Yes"}, {"question": 1}]');
    register(); // as on activation in a workspace that has the file
    await fake.commands.get('migrationGuard.reviewFlashcards')!();
    const panel = fake.panels[0]!;
    await panel.webview.send({ type: 'ready' });
    const state = lastState(panel);
    assert.equal(state.totalCards, 5 + ALL_RULES.length + 1);
    assert.deepEqual(state.deckErrors, [
      '.vscode/migration-cards.json: line 1, column 42: [1].answer: is missing',
      '.vscode/migration-cards.json: line 1, column 43: [1].question: expected a string, got number 1',
    ]);
    assert.match(fake.warnings[0] ?? '', /^Review cards: \.vscode\/migration-cards\.json: line 1, column 42: \[1\]\.answer: is missing \(and 1 more problem\)$/);

    // The user fixes the file: the open panel gets the new deck without a restart.
    fake.files.set('/work/shop/.vscode/migration-cards.json', '[{"question": "Ours?", "answer": "Yes"}, {"question": "Two?", "answer": "2"}]');
    await fake.fileChanged('/work/shop/.vscode/migration-cards.json');
    await waitFor(() => lastState(panel).totalCards === 5 + ALL_RULES.length + 2);
    assert.deepEqual(lastState(panel).deckErrors, []);
  });

  it('tells the status item on registration how many cards are due, the same number the panel shows', async () => {
    dueCounts.length = 0;
    register();
    await waitFor(() => dueCounts.length > 0);
    assert.ok(dueCounts[0]! > 0);
    await fake.commands.get('migrationGuard.reviewFlashcards')!();
    const panel = fake.panels[0]!;
    await panel.webview.send({ type: 'ready' });
    const { counts } = lastState(panel);
    assert.equal(dueCounts.at(-1), counts.new + counts.learning + counts.due);
  });

  it('opens a missing card file unsaved with an example card, writing nothing; an existing one as it is', async () => {
    const path = '/work/shop/.vscode/migration-cards.json';
    await fake.commands.get('migrationGuard.reviewFlashcards')!();
    const panel = fake.panels[0]!;
    await panel.webview.send({ type: 'openUserCards' });
    assert.equal(fake.files.has(path), false, 'only the user saving the document creates the file');
    const shown = fake.shownDocuments.at(-1);
    assert.equal(shown?.uri, `untitled://${path}`);
    assert.match(shown.text, /"flashcards": \[/);

    fake.files.set(path, '{"flashcards": []}');
    await panel.webview.send({ type: 'openUserCards' });
    assert.deepEqual(fake.shownDocuments.at(-1), { uri: `file://${path}`, text: '{"flashcards": []}' });
    assert.equal(fake.files.get(path), '{"flashcards": []}');
  });
});

describe('review webview source', () => {
  it('never turns strings into markup', () => {
    const dir = resolve(repoRoot, 'client/src/webview');
    for (const file of ['main.ts', 'dom.ts', 'reviewView.ts', 'quizView.ts', 'explainView.ts', 'statsView.ts']) {
      const source = readFileSync(resolve(dir, file), 'utf8');
      assert.doesNotMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/, file);
    }
  });
});
