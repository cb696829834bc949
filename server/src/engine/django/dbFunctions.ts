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


/**
 * The same split for SQL function names, as they appear in a column DEFAULT of the SQL Django emits for
 * PostgreSQL (or a RunSQL): upper-cased, by pg_proc.provolatile on PostgreSQL 15 (checked by
 * test/postgres/locks.test.ts). `STATEMENT_TIMESTAMP()` is Django's `Now()`, `GEN_RANDOM_UUID()` its `RandomUUID()`.
 */
export const VOLATILE_POSTGRES_FUNCTIONS: ReadonlySet<string> = new Set(['RANDOM', 'GEN_RANDOM_UUID', 'CLOCK_TIMESTAMP', 'TIMEOFDAY', 'NEXTVAL', 'SETVAL']);

export const NON_VOLATILE_POSTGRES_FUNCTIONS: ReadonlySet<string> = new Set([
  // date and time (STABLE)
  'STATEMENT_TIMESTAMP',
  'TRANSACTION_TIMESTAMP',
  'NOW',
  'DATE_TRUNC',
  'DATE_PART',
  'EXTRACT',
  'TO_CHAR',
  // math (IMMUTABLE)
  'PI',
  'ABS',
  'ROUND',
  'CEIL',
  'CEILING',
  'FLOOR',
  'SQRT',
  'POWER',
  'MOD',
  'EXP',
  'LN',
  'LOG',
  'SIGN',
  'DEGREES',
  'RADIANS',
  // text (IMMUTABLE or STABLE)
  'LOWER',
  'UPPER',
  'CONCAT',
  'LENGTH',
  'BTRIM',
  'LTRIM',
  'RTRIM',
  'LEFT',
  'RIGHT',
  'LPAD',
  'RPAD',
  'REPLACE',
  'REVERSE',
  'REPEAT',
  'SUBSTRING',
  'STRPOS',
  'MD5',
  'SHA224',
  'SHA256',
  'SHA384',
  'SHA512',
  'ENCODE',
]);

/** SQL constructs that look like calls but are evaluated once (expressions, not pg_proc functions). */
export const CONSTANT_POSTGRES_CONSTRUCTS: ReadonlySet<string> = new Set(['CAST', 'COALESCE', 'NULLIF', 'GREATEST', 'LEAST', 'TRIM', 'ARRAY', 'ROW']);

/** SQL value keywords evaluated once per statement (STABLE), written without parentheses. */
export const STABLE_POSTGRES_KEYWORDS: ReadonlySet<string> = new Set(['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'LOCALTIME', 'CURRENT_USER', 'SESSION_USER', 'USER']);
