// App labels as Django computes them: an app is named by its AppConfig's `label`, else by the last part of its
// `name` (django.apps.config.AppConfig.__init__), never by its folder. Read statically from the app's apps.py.
import type { Expr } from '../python/model';
import { readModuleFacts, type ClassStatement } from '../python/statements';

export interface AppConfigDeclaration {
  className: string;
  /** `name = "mylib.core"`: the app's dotted module path. */
  name?: string;
  /** `label = "mylibcore"` when written. */
  label?: string;
  /** `default = True` (Django 3.2+: the config used when INSTALLED_APPS names the module). */
  isDefault: boolean;
}

/** The label Django derives from a config: the explicit label, else the last part of `name`. */
export function labelOf(config: AppConfigDeclaration): string | undefined {
  return config.label ?? config.name?.split('.').pop();
}

/** AppConfig subclasses declared in an apps.py text (a class counts when a base's name ends in `Config`). */
export function readAppConfigs(text: string): AppConfigDeclaration[] {
  return readModuleFacts(text).classes.filter(isAppConfigClass).map(toDeclaration);
}

function isAppConfigClass(declaration: ClassStatement): boolean {
  return declaration.bases.some((base) => base.kind === 'name' && /Config$/.test(base.dotted));
}

function toDeclaration(declaration: ClassStatement): AppConfigDeclaration {
  const result: AppConfigDeclaration = { className: declaration.name, isDefault: false };
  for (const assignment of declaration.assignments) {
    if (assignment.operator !== '=') continue;
    if (assignment.target === 'name') {
      const value = literalString(assignment.value);
      if (value) result.name = value;
    } else if (assignment.target === 'label') {
      const value = literalString(assignment.value);
      if (value) result.label = value;
    } else if (assignment.target === 'default') {
      result.isDefault = assignment.value.kind === 'bool' && assignment.value.value;
    }
  }
  return result;
}

function literalString(value: Expr): string | undefined {
  return value.kind === 'string' && !value.formatted && value.value !== '' ? value.value : undefined;
}

/**
 * The config Django would use for an app package, as django.apps.config.AppConfig.create picks it: the one named in
 * INSTALLED_APPS when that names a class of this file, else the one marked `default = True`, else the only one.
 * Several without a default means Django falls back to a plain AppConfig: undefined (the folder name is the label).
 */
export function chooseAppConfig(configs: readonly AppConfigDeclaration[], installedClassNames: ReadonlySet<string>): AppConfigDeclaration | undefined {
  const named = configs.filter((config) => installedClassNames.has(config.className));
  if (named.length === 1) return named[0];
  const defaults = configs.filter((config) => config.isDefault);
  if (defaults.length === 1) return defaults[0];
  if (configs.length === 1) return configs[0];
  // Several configs that agree on the label (a base config and its subclass) leave no doubt either.
  const labels = new Set(configs.map(labelOf));
  return labels.size === 1 ? configs[0] : undefined;
}
