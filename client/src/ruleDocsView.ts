// "Django Migrations: Show Rule Documentation": the rule's page (from the rule catalogue the server also uses)
// rendered in VS Code's markdown preview. Called with a rule id by hovers and code actions, or from the palette.
import * as vscode from 'vscode';
import { catalogueRule, RULE_CATALOGUE } from './ruleCatalogue';
import type { Log } from './log';
import type { PreviewDocuments } from './previewDocuments';
import type { Prompter } from './prompter';
import { ruleDocumentMarkdown, ruleIdFromArgument } from './ruleDocs';
import { SHOW_RULE_DOCS_COMMAND } from '../../server/src/lsp/clientContract';

export function registerRuleDocsCommand(previews: PreviewDocuments, prompter: Prompter, log: Log): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_RULE_DOCS_COMMAND, async (argument: unknown) => {
    let ruleId = ruleIdFromArgument(argument);
    if (ruleId === undefined) {
      const picked = await prompter.pick(
        RULE_CATALOGUE.map((rule) => ({ label: rule.id, description: rule.title, detail: `${rule.severity} · ${rule.category}` })),
        { title: 'Show documentation for which rule?' },
      );
      ruleId = picked?.label;
      if (ruleId === undefined) return;
    }
    const rule = catalogueRule(ruleId);
    if (!rule) {
      log.fail({ message: `Unknown rule "${ruleId}". "Django Migrations: Show Rule Documentation" lists the rules.` });
      return;
    }
    await previews.showMarkdown(`${rule.id}.md`, ruleDocumentMarkdown(rule));
  });
}
