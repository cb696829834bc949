// What a static read of Django settings modules can tell: MIGRATION_MODULES (where an app's migrations live) and
// the INSTALLED_APPS entries (which AppConfig class an app uses). Only literal values count; computed ones
// (`{app: None for app in ...}`, `DisableMigrations()`) are left to the `migration-modules` config key.
import type { DictExpr, Expr } from '../python/model';
import { readModuleFacts } from '../python/statements';

export interface SettingsFacts {
  /** label -> dotted module; `null` when the settings disable the app's migrations. */
  migrationModules: Map<string, string | null>;
  /** Dotted strings of INSTALLED_APPS, in the order read. */
  installedApps: string[];
}

export function readSettingsFacts(files: readonly { text: string }[]): SettingsFacts {
  const facts: SettingsFacts = { migrationModules: new Map(), installedApps: [] };
  for (const file of files) {
    for (const assignment of readModuleFacts(file.text).assignments) {
      const { target, operator, value } = assignment;
      if (target === 'MIGRATION_MODULES' && operator === '=') addModules(facts, value);
      else if (target === 'MIGRATION_MODULES' && operator === 'call' && value.kind === 'call' && value.callee.kind === 'name' && value.callee.dotted.endsWith('.update')) {
        for (const arg of value.args) addModules(facts, arg);
        for (const [label, module] of Object.entries(value.kwargs)) addModule(facts, label, module);
      } else if (operator === '=' && target.startsWith('MIGRATION_MODULES[')) {
        const key = /^MIGRATION_MODULES\[(['"])(\w+)\1\]$/.exec(target)?.[2];
        if (key) addModule(facts, key, value);
      } else if (target === 'INSTALLED_APPS' && (operator === '=' || operator === '+=')) {
        for (const app of strings(value)) facts.installedApps.push(app);
      }
    }
  }
  return facts;
}

function addModules(facts: SettingsFacts, value: Expr): void {
  if (value.kind === 'dict') {
    for (const entry of (value as DictExpr).entries) {
      if (entry.key.kind === 'string' && !entry.key.formatted) addModule(facts, entry.key.value, entry.value);
    }
  } else if (value.kind === 'call' && value.callee.kind === 'name' && value.callee.dotted === 'dict') {
    for (const arg of value.args) addModules(facts, arg);
    for (const [label, module] of Object.entries(value.kwargs)) addModule(facts, label, module);
  }
}

function addModule(facts: SettingsFacts, label: string, module: Expr): void {
  if (module.kind === 'none') facts.migrationModules.set(label, null);
  else if (module.kind === 'string' && !module.formatted && /^[\w.]+$/.test(module.value)) facts.migrationModules.set(label, module.value);
}

function strings(value: Expr): string[] {
  if (value.kind === 'list' || value.kind === 'tuple') return value.items.flatMap(strings);
  if (value.kind === 'binary' && value.operator === '+') return [...strings(value.left), ...strings(value.right)];
  if (value.kind === 'string' && !value.formatted) return [value.value];
  return [];
}

/** DEFAULT_AUTO_FIELD's class name from settings files ("AutoField", Django's default, when none sets it). */
export function defaultAutoFieldOf(settingsTexts: readonly string[]): string {
  for (const text of settingsTexts) {
    const match = /^DEFAULT_AUTO_FIELD\s*=\s*['"]([\w.]+)['"]/m.exec(text);
    if (match) return (match[1] as string).split('.').pop() as string;
  }
  return 'AutoField';
}

/** AUTH_USER_MODEL from settings files as `app.Model`, undefined when none sets it (Django's default auth.User). */
export function authUserModelOf(settingsTexts: readonly string[]): string | undefined {
  for (const text of settingsTexts) {
    const match = /^AUTH_USER_MODEL\s*=\s*['"](\w+\.\w+)['"]/m.exec(text);
    if (match) return match[1];
  }
  return undefined;
}
