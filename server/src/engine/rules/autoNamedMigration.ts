// auto-named-migration: `makemigrations` fell back to a timestamp name (`0042_auto_20240101_1200`) because it could
// not summarise the operations; the file name tells reviewers and `showmigrations` readers nothing.
import type { FileRule } from './rule';

/**
 * Django's fallback name: `auto_` + `datetime.now().strftime("%Y%m%d_%H%M")` after the zero-padded number.
 * Merge (`0004_merge_20240101_1200`) and squashed (`0001_squashed_0042_auto_...`) names say what they are.
 */
const AUTO_NAME = /^\d{4,}_auto_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})$/;

function isAutoName(name: string): boolean {
  const match = AUTO_NAME.exec(name);
  if (!match) return false;
  const [month, day, hour, minute] = [match[2], match[3], match[4], match[5]].map(Number) as [number, number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59;
}

export const autoNamedMigration: FileRule = {
  id: 'auto-named-migration',
  title: 'Migration has an auto-generated name',
  severity: 'info',
  vendors: 'all',
  category: 'graph',
  scope: 'file',
  explanation: {
    summary:
      'The migration is called `NNNN_auto_YYYYMMDD_HHMM`: Django picked a timestamp because it could not summarise the operations. ' +
      'Reviewers, `showmigrations` output and `migrate app NNNN` commands cannot tell what it does, and two such files from parallel branches are easy to confuse.',
    sql: 'None: the name only affects the `django_migrations` bookkeeping row (`INSERT INTO django_migrations (app, name, applied) ...`).',
    lock: '',
    blocks: 'Nothing at run time; it costs review time and makes rollbacks (`migrate shop 0041`) error-prone.',
    rewrite: 'No.',
    safeAlternative:
      'Name the migration when you create it (`makemigrations --name`). If it has not been applied anywhere yet, rename the file and update every `dependencies` entry that points at it; once applied in production, leave the name alone.',
    safeCode:
      '# python manage.py makemigrations shop --name add_order_tracking_fields\n' +
      '# shop/migrations/0042_add_order_tracking_fields.py (instead of 0042_auto_20240101_1200.py)\n' +
      'class Migration(migrations.Migration):\n' +
      '    dependencies = [("shop", "0041_order_status")]\n' +
      '    operations = [...]\n\n' +
      '# and in every migration that depended on the old name:\n' +
      'dependencies = [("shop", "0042_add_order_tracking_fields")]\n',
    safeCodeLanguage: 'python',
    notReported: [
      'migrations something already depends on: renaming them would break databases that recorded them; `hygiene-scope = "all"` reports them too',
    ],
  },
  check(ctx) {
    const migrationClass = ctx.file.migrationClass;
    if (!migrationClass || !isAutoName(ctx.file.name)) return;
    // Renaming is cheap only while nothing depends on the migration (it is then most likely unapplied).
    if (ctx.config.hygieneScope === 'leaves' && ctx.standing.hasDependents) return;
    ctx.report({
      span: migrationClass.nameSpan,
      message: `Migration \`${ctx.file.app}.${ctx.file.name}\` has an auto-generated timestamp name`,
      advice: 'rename it (`makemigrations --name ...`) to say what it does, before it is applied anywhere',
    });
  },
};
