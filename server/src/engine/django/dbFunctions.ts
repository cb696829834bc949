// Django's database functions by how PostgreSQL evaluates them in a column default. `ALTER TABLE ... ADD COLUMN ...
// DEFAULT <expr>` stores a non-volatile default in the catalog and fills no row (PostgreSQL >= 11); a VOLATILE one
// (random(), gen_random_uuid(), clock_timestamp()) is computed for every existing row, which rewrites the table.
// Volatility from the functions Django's PostgreSQL backend emits for each class (pg_proc.provolatile).

/** Expressions that wrap constants: the database computes them once. */
export const CONSTANT_WRAPPERS: ReadonlySet<string> = new Set(['Value', 'Cast', 'ExpressionWrapper']);

/**
 * Classes whose SQL is IMMUTABLE or STABLE on PostgreSQL (evaluated once for ADD COLUMN ... DEFAULT). `Now()` is
 * STATEMENT_TIMESTAMP(), which is STABLE; `Pi()` is PI(), IMMUTABLE.
 */
export const NON_VOLATILE_ON_POSTGRES: ReadonlySet<string> = new Set([
  // date and time (STABLE)
  'Now',
  'Extract',
  'ExtractYear',
  'ExtractMonth',
  'ExtractDay',
  'ExtractHour',
  'Trunc',
  'TruncDate',
  'TruncDay',
  'TruncMonth',
  'TruncYear',
  // math (IMMUTABLE)
  'Pi',
  'Abs',
  'Round',
  'Ceil',
  'Floor',
  'Sqrt',
  'Power',
  'Mod',
  'Exp',
  'Ln',
  'Log',
  'Sign',
  'Degrees',
  'Radians',
  'Greatest',
  'Least',
  // text (IMMUTABLE)
  'Lower',
  'Upper',
  'Concat',
  'ConcatPair',
  'Coalesce',
  'NullIf',
  'Length',
  'Trim',
  'LTrim',
  'RTrim',
  'Left',
  'Right',
  'LPad',
  'RPad',
  'Replace',
  'Reverse',
  'Repeat',
  'Substr',
  'StrIndex',
  'MD5',
  'SHA1',
  'SHA256',
  'SHA512',
]);

