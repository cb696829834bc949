// SQL words that cannot be used as an unquoted column name, per database. Django always quotes identifiers in
// the SQL it generates, so these only bite hand-written SQL (RunSQL, raw(), reporting tools, psql sessions).
// Each list is limited to words that really break (or silently change meaning) when written unquoted; words that
// are merely "keywords" but still accepted as identifiers are left out, so common names like `name`, `type`,
// `status` or (on PostgreSQL) `key` are never flagged.
import type { Database } from '../config/types';

/**
 * PostgreSQL 16: `pg_get_keywords()` categories R (reserved) and T (reserved, can be function or type name).
 * Neither can be a column reference without quotes; C and U keywords can, so they are not listed.
 */
const POSTGRESQL_RESERVED = words(`
  all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create
  current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc
  distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral
  leading limit localtime localtimestamp not null offset on only or order placing primary references returning
  select session_user some symmetric system_user table then to trailing true union unique user using variadic when
  where window with
  authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join left like
  natural notnull outer overlaps right similar tablesample verbose
`);

/** MySQL 8.0 words marked (R) in the reference manual's keyword list (as of 8.0.31+). */
const MYSQL_RESERVED = words(`
  accessible add all alter analyze and as asc asensitive before between bigint binary blob both by call cascade
  case change char character check collate column condition constraint continue convert create cross cube cume_dist
  current_date current_time current_timestamp current_user cursor database databases day_hour day_microsecond
  day_minute day_second dec decimal declare default delayed delete dense_rank desc describe deterministic distinct
  distinctrow div double drop dual each else elseif empty enclosed escaped except exists exit explain false fetch
  first_value float float4 float8 for force foreign from fulltext function generated get grant group grouping groups
  having high_priority hour_microsecond hour_minute hour_second if ignore in index infile inner inout insensitive
  insert int int1 int2 int3 int4 int8 integer intersect interval into io_after_gtids io_before_gtids is iterate join
  json_table key keys kill lag last_value lateral lead leading leave left like limit linear lines load localtime
  localtimestamp lock long longblob longtext loop low_priority master_bind master_ssl_verify_server_cert match
  maxvalue mediumblob mediumint mediumtext middleint minute_microsecond minute_second mod modifies natural not
  no_write_to_binlog nth_value ntile null numeric of on optimize optimizer_costs option optionally or order out
  outer outfile over partition percent_rank precision primary procedure purge range rank read reads read_write real
  recursive references regexp release rename repeat replace require resignal restrict return revoke right rlike row
  rows row_number schema schemas second_microsecond select sensitive separator set show signal smallint spatial
  specific sql sqlexception sqlstate sqlwarning sql_big_result sql_calc_found_rows sql_small_result ssl starting
  stored straight_join system table terminated then tinyblob tinyint tinytext to trailing trigger true undo union
  unique unlock unsigned update usage use using utc_date utc_time utc_timestamp values varbinary varchar
  varcharacter varying virtual when where while window with write xor year_month zerofill
`);

/**
 * SQLite 3.40: keywords that fail as a plain column name in CREATE/SELECT/INSERT/UPDATE (measured against the
 * sqlite3 library; SQLite's parser falls back to identifiers for the others), plus the CURRENT_* words, which
 * parse but silently return the clock instead of the column.
 */
const SQLITE_RESERVED = words(`
  add all alter and as autoincrement between case cast check collate commit constraint create current_date
  current_time current_timestamp default deferrable delete distinct drop else escape except exists foreign from group
  having in index insert intersect into is isnull join limit not nothing notnull null on or order primary raise
  references returning select set table then to transaction union unique update using values when where
`);

const RESERVED_BY_DATABASE: Record<Database, ReadonlySet<string>> = {
  postgresql: POSTGRESQL_RESERVED,
  mysql: MYSQL_RESERVED,
  sqlite: SQLITE_RESERVED,
};

const DATABASE_LABELS: Record<Database, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite' };

/** True when `identifier` cannot be written unquoted as a column name on `database` (case-insensitive). */
export function isReservedWord(identifier: string, database: Database): boolean {
  return RESERVED_BY_DATABASE[database].has(identifier.toLowerCase());
}

/** Display names of every database that reserves `identifier`, in a stable order. */
export function databasesReserving(identifier: string): string[] {
  const word = identifier.toLowerCase();
  return (Object.keys(RESERVED_BY_DATABASE) as Database[])
    .filter((database) => RESERVED_BY_DATABASE[database].has(word))
    .map((database) => DATABASE_LABELS[database]);
}

function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((word) => word.length > 0));
}
