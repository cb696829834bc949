// The rule catalogue: every rule the engine runs, in the order of ../shared/RULES.md's sections.
// Each rule lives in its own file; add it to the list of its section here.
import type { Rule } from './rule';
import { unusedIgnore } from './unusedIgnore';
import { concurrentOpInAtomicMigration } from './concurrentOpInAtomicMigration';
import { nonAtomicMixedOperations } from './nonAtomicMixedOperations';
import { mixedSchemaAndData } from './mixedSchemaAndData';
import { runpythonNoReverse } from './runpythonNoReverse';
import { runsqlNoReverse } from './runsqlNoReverse';
import { runpythonModelImport } from './runpythonModelImport';
import { runpythonUnbatchedBackfill } from './runpythonUnbatchedBackfill';
import { runpythonSignature } from './runpythonSignature';
import { runsqlTransactionControl } from './runsqlTransactionControl';
import { sqlCreateIndexNonConcurrent } from './sql/createIndexNonConcurrent';
import { sqlAddColumnNotNull } from './sql/addColumnNotNull';
import { sqlDropColumn } from './sql/dropColumn';
import { sqlDropTable } from './sql/dropTable';
import { sqlRename } from './sql/rename';
import { sqlAlterColumnType } from './sql/alterColumnType';
import { sqlAddConstraintNotValidMissing } from './sql/addConstraintNotValidMissing';
import { sqlValidateInSameTransaction } from './sql/validateInSameTransaction';
import { sqlTruncate } from './sql/truncate';
import { sqlLockTable } from './sql/lockTable';
import { sqlVacuumFull } from './sql/vacuumFull';
import { sqlReindexNonConcurrent } from './sql/reindexNonConcurrent';
import { sqlEnumAddValueInTransaction } from './sql/enumAddValueInTransaction';
import { sqlBuiltFromVariables } from './sql/builtFromVariables';
import { sqlDropDatabaseOrSchema } from './sql/dropDatabaseOrSchema';
import { sqlMissingLockTimeout } from './sql/missingLockTimeout';
import { sqlNotIdempotent } from './sql/notIdempotent';
import { compositePrimaryKeyChange } from './compositePrimaryKeyChange';
import { severalHeavyOpsOneTable } from './severalHeavyOpsOneTable';
import { foreignKeyWithoutIndex } from './foreignKeyWithoutIndex';
import { preferBigAutoField } from './preferBigAutoField';
import { reservedWordColumn } from './reservedWordColumn';
import { conflictingLeafMigrations } from './conflictingLeafMigrations';
import { missingDependency } from './missingDependency';
import { autoNamedMigration } from './autoNamedMigration';
import { deprecatedTogether } from './deprecatedTogether';
import { replacedMigrationStillReferenced } from './replacedMigrationStillReferenced';
import { deployPhaseOrder } from './deployPhaseOrder';
import { invalidMigrationGraph } from './invalidMigrationGraph';
import { unanalysedOperations } from './unanalysedOperations';

import { removeField } from './removeField';
import { renameField } from './renameField';
import { deleteModel } from './deleteModel';
import { renameModel } from './renameModel';
import { addFieldNotNullNoDefault } from './addFieldNotNullNoDefault';
import { addFieldNotNullPythonDefault } from './addFieldNotNullPythonDefault';
import { alterFieldSetNotNull } from './alterFieldSetNotNull';
import { alterFieldDropNotNull } from './alterFieldDropNotNull';
import { addFieldCallableDefaultUnique } from './addFieldCallableDefaultUnique';
import { addIndexNonConcurrent } from './addIndexNonConcurrent';
import { addFieldWithIndex } from './addFieldWithIndex';
import { removeIndexNonConcurrent } from './removeIndexNonConcurrent';
import { addUniqueConstraint } from './addUniqueConstraint';
import { addForeignKeyValidating } from './addForeignKeyValidating';
import { addCheckConstraintValidating } from './addCheckConstraintValidating';
import { addExclusionConstraint } from './addExclusionConstraint';
import { alterFieldType } from './alterFieldType';
import { alterPkTypeCascade } from './alterPkTypeCascade';
import { addFieldVolatileDbDefault } from './addFieldVolatileDbDefault';
import { addFieldStoredGenerated } from './addFieldStoredGenerated';
import { addFieldAutoIncrement } from './addFieldAutoIncrement';
import { exclusiveLockHeldBySlowStep } from './exclusiveLockHeldBySlowStep';
import { sqliteTableRebuild } from './sqliteTableRebuild';

// --- compatibility and locking (backward compatibility, data loss, locks and table rewrites) ---
const compatibilityAndLockingRules: Rule[] = [
  removeField,
  renameField,
  deleteModel,
  renameModel,
  addFieldNotNullNoDefault,
  addFieldNotNullPythonDefault,
  alterFieldSetNotNull,
  alterFieldDropNotNull,
  addFieldCallableDefaultUnique,
  addIndexNonConcurrent,
  addFieldWithIndex,
  removeIndexNonConcurrent,
  addUniqueConstraint,
  addForeignKeyValidating,
  addCheckConstraintValidating,
  addExclusionConstraint,
  alterFieldType,
  alterPkTypeCascade,
  addFieldVolatileDbDefault,
  addFieldStoredGenerated,
  addFieldAutoIncrement,
  exclusiveLockHeldBySlowStep,
  sqliteTableRebuild,
];

// --- transactions, SQL inside RunSQL, hygiene, migration graph ---
const transactionSqlHygieneGraphRules: Rule[] = [
  concurrentOpInAtomicMigration,
  nonAtomicMixedOperations,
  mixedSchemaAndData,
  runpythonNoReverse,
  runsqlNoReverse,
  runpythonModelImport,
  runpythonUnbatchedBackfill,
  runpythonSignature,
  runsqlTransactionControl,
  sqlCreateIndexNonConcurrent,
  sqlAddColumnNotNull,
  sqlDropColumn,
  sqlDropTable,
  sqlRename,
  sqlAlterColumnType,
  sqlAddConstraintNotValidMissing,
  sqlValidateInSameTransaction,
  sqlTruncate,
  sqlLockTable,
  sqlVacuumFull,
  sqlReindexNonConcurrent,
  sqlEnumAddValueInTransaction,
  sqlBuiltFromVariables,
  sqlDropDatabaseOrSchema,
  sqlMissingLockTimeout,
  sqlNotIdempotent,
  compositePrimaryKeyChange,
  severalHeavyOpsOneTable,
  foreignKeyWithoutIndex,
  preferBigAutoField,
  reservedWordColumn,
  conflictingLeafMigrations,
  missingDependency,
  autoNamedMigration,
  deprecatedTogether,
  replacedMigrationStillReferenced,
  deployPhaseOrder,
  invalidMigrationGraph,
  unanalysedOperations,
  unusedIgnore,
];

export const ALL_RULES: readonly Rule[] = [...compatibilityAndLockingRules, ...transactionSqlHygieneGraphRules];

const byId = new Map(ALL_RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}
