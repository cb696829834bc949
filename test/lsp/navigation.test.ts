// The editor features over the real protocol (the server as a child process on stdio): completion, definition,
// references, the history hover and request, document and workspace symbols, code lenses; all answered from the
// analysis the diagnostics made, after edits too.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeLens, CompletionItem, CompletionList, DocumentSymbol, Hover, Location, MarkupContent, SymbolInformation, TextEdit } from 'vscode-languageserver-protocol';
import type { HistoryResponse } from '../../server/src/lsp/clientContract';
import { LspClient, copyFixture, removeWorkspace, uriOf } from './lspClient';

function items(result: CompletionItem[] | CompletionList | null): CompletionItem[] {
  return Array.isArray(result) ? result : (result?.items ?? []);
}

describe('LSP editor features', function () {
  this.timeout(20000);
  let workspace: string;
  let client: LspClient;
  const uris: Record<string, string> = {};
  const file = (name: string) => join(workspace, name);

  before(async () => {
    workspace = copyFixture('navigation');
    client = await LspClient.start({ workspace });
    await client.waitForIndexing();
    for (const [key, name] of [
      ['p1', 'shop/migrations/0001_initial.py'],
      ['p2', 'shop/migrations/0002_order_code.py'],
      ['p4', 'shop/migrations/0004_purchase_code.py'],
    ]) {
      uris[key as string] = uriOf(file(name as string));
      await client.open(file(name as string), readFileSync(file(name as string), 'utf8'));
    }
  });

  after(async () => {
    await client?.dispose();
    if (workspace) removeWorkspace(workspace);
  });

  const inside = (uri: string, needle: string, offsetInNeedle: number) => {
    const at = client.positionOf(uri, needle);
    return { line: at.line, character: at.character + offsetInNeedle };
  };

  it('announces the features in its capabilities', () => {
    const capabilities = client.initializeResult.capabilities;
    assert.deepEqual(capabilities.completionProvider?.triggerCharacters, ['"', "'", '.']);
    assert.ok(capabilities.definitionProvider && capabilities.referencesProvider && capabilities.documentSymbolProvider && capabilities.workspaceSymbolProvider && capabilities.codeLensProvider);
  });

  it('completes the models and fields alive at that point, replacing the text inside the quotes', async () => {
    const models = items(await client.at('textDocument/completion', uris.p4!, inside(uris.p4!, 'model_name="purchase"', 13)));
    assert.deepEqual(models.map((item) => item.label), ['purchase']);
    const fields = items(await client.at('textDocument/completion', uris.p4!, inside(uris.p4!, 'name="code"', 7)));
    assert.deepEqual(fields.map((item) => item.label).sort(), ['amount', 'code', 'id', 'note']);
    const code = fields.find((item) => item.label === 'code');
    assert.equal(code?.detail, 'models.CharField(max_length=20, null=True)');
    const edit = code?.textEdit as TextEdit;
    const start = client.positionOf(uris.p4!, 'code"');
    assert.deepEqual(edit.range, { start, end: { line: start.line, character: start.character + 4 } });
  });

  it('completes a dependency typed in the editor, newest migration first, then jumps to it', async () => {
    const text = client.text(uris.p4!).replace('("shop", "0003_purchase"),', '("shop", "0003_purchase"),\n        ("shop", ""),');
    await client.replaceText(uris.p4!, text);
    try {
      const position = inside(uris.p4!, '("shop", ""', 10);
      const result = items(await client.at('textDocument/completion', uris.p4!, position));
      assert.deepEqual(result.map((item) => item.label), ['0003_purchase', '0002_order_code', '0001_initial']);
      await client.change(uris.p4!, [{ range: { start: position, end: position }, newText: '0002_order_code' }]);
      const definition = await client.at<Location[]>('textDocument/definition', uris.p4!, position);
      assert.equal(definition[0]?.uri, uriOf(file('shop/migrations/0002_order_code.py')));
    } finally {
      await client.replaceText(uris.p4!, readFileSync(file('shop/migrations/0004_purchase_code.py'), 'utf8'));
    }
  });

  it('completes operation classes after migrations. as snippets', async () => {
    const original = client.text(uris.p4!);
    await client.replaceText(uris.p4!, original.replace('    operations = [\n', '    operations = [\n        migrations.Re\n'));
    try {
      const result = items(await client.at('textDocument/completion', uris.p4!, inside(uris.p4!, 'migrations.Re\n', 13)));
      const removeField = result.find((item) => item.label === 'RemoveField');
      assert.equal(removeField?.insertTextFormat, 2);
      assert.equal((removeField?.textEdit as TextEdit).newText, 'RemoveField(\n    model_name="${1}",\n    name="${2}",\n)');
    } finally {
      await client.replaceText(uris.p4!, original);
    }
  });

  it('goes to the CreateModel of a renamed model and to the last definition of a field', async () => {
    const model = await client.at<Location[]>('textDocument/definition', uris.p4!, inside(uris.p4!, 'model_name="purchase"', 14));
    assert.equal(model[0]?.uri, uris.p1);
    assert.equal(model[0]?.range.start.line, client.positionOf(uris.p1!, 'migrations.CreateModel(').line);
    const field = await client.at<Location[]>('textDocument/definition', uris.p4!, inside(uris.p4!, 'name="code"', 7));
    assert.equal(field[0]?.uri, uris.p2);
    assert.equal(field[0]?.range.start.line, client.positionOf(uris.p2!, 'migrations.AlterField(').line);
  });

  it('finds the dependents of a migration and every operation on a field', async () => {
    const dependents = await client.at<Location[]>('textDocument/references', uris.p1!, inside(uris.p1!, 'class Migration', 8), { context: { includeDeclaration: false } });
    assert.deepEqual(dependents.map((location) => location.uri).sort(), [uriOf(file('billing/migrations/0001_initial.py')), uris.p2].sort());
    const touches = await client.at<Location[]>('textDocument/references', uris.p4!, inside(uris.p4!, 'name="code"', 7), { context: { includeDeclaration: true } });
    assert.deepEqual(touches.map((location) => location.uri.split('/').pop()), ['0001_initial.py', '0002_order_code.py', '0003_purchase.py', '0004_purchase_code.py']);
  });

  it('shows the field history in the hover of its name and answers the history request from inside the operation', async () => {
    const hover = await client.hover(uris.p4!, inside(uris.p4!, 'name="code"', 7).line, inside(uris.p4!, 'name="code"', 7).character);
    const text = (hover?.contents as MarkupContent).value;
    assert.match(text, /\*\*History of field `shop\.purchase\.code`\*\*: 4 operations/);
    assert.match(text, /created by `CreateModel`[\s\S]*max_length=10[\s\S]*altered by `AlterField`[\s\S]*max_length=20[\s\S]*renamed by `RenameModel`[\s\S]*max_length=30/);
    assert.match(text, /0004_purchase_code`\]\(file:[^)]*#L\d+\) · altered by `AlterField` · \*\*this operation\*\*/);
    const response = await client.at<HistoryResponse | null>('migrationGuard/history', uris.p4!, inside(uris.p4!, 'max_length=30', 3));
    assert.equal(response?.subject, 'shop.purchase.code');
    assert.equal(response?.markdown, text);
    // The operation hover on the name of the operation is unchanged.
    const operationHover: Hover | null = await client.hover(uris.p4!, client.positionOf(uris.p4!, 'AlterField').line, client.positionOf(uris.p4!, 'AlterField').character + 2);
    assert.doesNotMatch((operationHover?.contents as MarkupContent).value, /History of/);
  });

  it('outlines the migration for breadcrumbs and the Outline view', async () => {
    const symbols = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uris.p2 } });
    assert.equal(symbols[0]?.name, 'Migration');
    assert.deepEqual(symbols[0]?.children?.map((child) => child.name), ['dependencies', 'operations']);
    assert.deepEqual(symbols[0]?.children?.[1]?.children?.map((child) => `${child.name} ${child.detail ?? ''}`), ['AlterField shop.Order.code', 'SeparateDatabaseAndState ', 'RenameField shop.Order.total']);
  });

  it('finds models and migrations of the workspace, never a deleted model', async () => {
    const symbols = await client.connection.sendRequest<SymbolInformation[]>('workspace/symbol', { query: '' });
    const models = symbols.filter((symbol) => symbol.kind === 5).map((symbol) => `${symbol.containerName}.${symbol.name}`);
    assert.deepEqual(models.sort(), ['billing.Invoice', 'shop.Purchase']);
    assert.equal(symbols.filter((symbol) => symbol.kind === 1).length, 5);
    const customer = await client.connection.sendRequest<SymbolInformation[]>('workspace/symbol', { query: 'Customer' });
    assert.deepEqual(customer, []);
  });

  it('puts a code lens with the number of dependents on the Migration class', async () => {
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uris.p1 } });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0]?.command?.title, '2 migrations depend on this one');
    assert.equal(lenses[0]?.range.start.line, client.positionOf(uris.p1!, 'class Migration').line);
    const leaf = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uris.p4 } });
    assert.equal(leaf[0]?.command?.title, 'No migration depends on this one yet');
  });

  it('answers nothing rather than failing on text that is not a migration call', async () => {
    const result = items(await client.at('textDocument/completion', uris.p1!, { line: 0, character: 0 }));
    assert.deepEqual(result, []);
    assert.deepEqual(await client.at('textDocument/definition', uris.p1!, { line: 0, character: 3 }), []);
    assert.equal(client.serverStderr(), '');
  });
});
