// SARIF 2.1.0 for GitHub code scanning (upload with github/codeql-action/upload-sarif).
// GitHub needs: tool.driver.rules with ids, results with ruleId, level, message and a physical location whose
// URI is relative to the checkout (uriBaseId %SRCROOT%) with 1-based regions.
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as sarif from 'sarif';
import { ruleDocsUrl } from '../docsUrl';
import type { Finding, RuleMeta, Severity } from '../types';
import { oneBased, sortErrors, sortFindings, type Report, type ReportContext } from './report';
import { ruleHelpMarkdown, ruleHelpPlain } from './ruleHelp';

const LEVEL: Record<Severity, sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note' };
const PROBLEM_SEVERITY: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'recommendation' };
const SRCROOT = '%SRCROOT%';
const INFORMATION_URI = 'https://github.com/migration-guard/django-migration-guard';

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}

function descriptor(rule: RuleMeta): sarif.ReportingDescriptor {
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.explanation.summary },
    help: { text: ruleHelpPlain(rule), markdown: ruleHelpMarkdown(rule) },
    helpUri: ruleDocsUrl(rule.id),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: ['django', 'migrations', rule.category], precision: 'high', 'problem.severity': PROBLEM_SEVERITY[rule.severity] },
  };
}

/** Descriptor for an id the catalogue does not list (e.g. engine-level findings), so every ruleIndex is valid. */
function bareDescriptor(id: string, severity: Severity): sarif.ReportingDescriptor {
  return { id, name: pascalCase(id), shortDescription: { text: id }, helpUri: ruleDocsUrl(id), defaultConfiguration: { level: LEVEL[severity] } };
}

function artifactLocation(file: string): sarif.ArtifactLocation {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  const uri = file.split(sep === '/' ? '/' : /[\\/]/).map(encodeURIComponent).join('/');
  return { uri, uriBaseId: SRCROOT };
}

export function buildSarif(report: Report, context: ReportContext): sarif.Log {
  const rules = context.rules.map(descriptor);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const indexOf = (finding: Finding): number => {
    let index = ruleIndex.get(finding.rule);
    if (index === undefined) {
      index = rules.push(bareDescriptor(finding.rule, finding.severity)) - 1;
      ruleIndex.set(finding.rule, index);
    }
    return index;
  };

  const results: sarif.Result[] = sortFindings(report.findings).map((finding) => {
    const range = oneBased(finding);
    const result: sarif.Result = {
      ruleId: finding.rule,
      ruleIndex: indexOf(finding),
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(finding.file),
            region: { startLine: range.line, startColumn: range.column, endLine: range.endLine, endColumn: range.endColumn },
          },
        },
      ],
    };
    if (context.fingerprint) result.partialFingerprints = { 'migrationGuard/v1': context.fingerprint(finding) };
    return result;
  });

  const notifications: sarif.Notification[] = sortErrors(report.errors).map((error) => ({
    level: 'error',
    message: { text: `could not analyse ${error.file}: ${error.message}` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(error.file) } }],
  }));

  const cwdUri = pathToFileURL(context.cwd).href;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'migration-guard',
            fullName: 'Django Migration Guard',
            version: context.version,
            semanticVersion: context.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: cwdUri.endsWith('/') ? cwdUri : `${cwdUri}/` } },
        columnKind: 'utf16CodeUnits',
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
}

export function formatSarif(report: Report, context: ReportContext): string {
  return `${JSON.stringify(buildSarif(report, context), null, 2)}\n`;
}
