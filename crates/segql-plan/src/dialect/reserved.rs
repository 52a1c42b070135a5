//! The words each dialect quotes when a name is one of them, as data.
//!
//! A name is written bare when it is plain (lower-case ASCII letters, digits and `_`,
//! not starting with a digit) and not in its dialect's list here; otherwise it is quoted.
//! Each list is the engine's own reserved words, from the source named above it, plus
//! (marked in the comment) words the engine was seen to reject bare in the positions
//! segql writes names (a column, a qualified column, an alias, a schema or table name,
//! a bare boolean column in `WHERE`, `ORDER BY`), and words that sqlparser's parser for
//! the dialect cannot read bare, which the test suites need to parse every statement
//! back.
//!
//! Quoting a lower-case name changes nothing on DuckDB, Postgres, Redshift, BigQuery,
//! Spark, ClickHouse and Trino (their unquoted names fold to lower case, or are not
//! folded at all), so those lists may err on the side of quoting. On Snowflake a quoted
//! name is case-sensitive (`"values"` is not the column `VALUES`), so its list is the
//! documented one, and nothing more.
//!
//! `crates/segql-plan/tests/reserved_words.rs` compiles a project named by every word
//! of every list (and every keyword sqlparser knows) in every dialect and parses each
//! statement back; `tests/tests/reserved_words.rs` runs such projects on DuckDB,
//! PostgreSQL, ClickHouse and Spark, and checks each engine's own keyword table against
//! its list here.

/// DuckDB 2.0: `SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category <>
/// 'unreserved'` (reserved, type_function and column_name keywords).
///
/// Also `cluster`, `distribute`, `exclude`, `explain`, `minus`, `sort`, `top`, `view`:
/// sqlparser's `DuckDbDialect` cannot read them
/// bare (harmless to quote: the engine folds unquoted names to lower case, or keeps them).
#[rustfmt::skip]
pub const DUCKDB: &[&str] = &[
    "all", "analyse", "analyze", "and", "anti", "any", "array", "as", "asc", "asof",
    "asymmetric", "at", "authorization", "between", "bigint", "binary", "bit", "boolean",
    "both", "by", "case", "cast", "char", "character", "check", "cluster", "coalesce",
    "collate", "collation", "column", "columns", "concurrently", "constraint", "create",
    "cross", "dec", "decimal", "default", "deferrable", "desc", "describe", "distinct",
    "distribute", "do", "else", "end", "except", "exclude", "exists", "explain", "extract",
    "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "generated",
    "glob", "group", "grouping", "grouping_id", "having", "ilike", "in", "initially",
    "inner", "inout", "int", "integer", "intersect", "interval", "into", "is", "isnull",
    "join", "lambda", "lateral", "leading", "left", "like", "limit", "map", "minus",
    "national", "natural", "nchar", "none", "not", "notnull", "null", "nullif", "numeric",
    "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "pivot",
    "pivot_longer", "pivot_wider", "placing", "position", "positional", "precision",
    "primary", "qualify", "real", "references", "returning", "right", "row", "select",
    "semi", "setof", "show", "similar", "smallint", "some", "sort", "struct", "substring",
    "summarize", "symmetric", "table", "tablesample", "then", "time", "timestamp", "to",
    "top", "trailing", "treat", "trim", "true", "try_cast", "tuple", "union", "unique",
    "unpack", "unpivot", "using", "values", "varchar", "variadic", "verbose", "view",
    "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement",
    "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
    "xmlserialize", "xmltable",
];

/// PostgreSQL 15: `pg_get_keywords()` with `catcode` R (reserved) or T (reserved, can be a
/// function or type name). The C words (`between`, `values`, `time`, ...) were read
/// bare in every position segql writes a name, on PostgreSQL 15.
///
/// Also `exists`, `interval`, `top`, `trim`, `unnest`: sqlparser's `PostgreSqlDialect`
/// cannot read them
/// bare (harmless to quote: the engine folds unquoted names to lower case, or keeps them).
#[rustfmt::skip]
pub const POSTGRES: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
    "column", "concurrently", "constraint", "create", "cross", "current_catalog",
    "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
    "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
    "except", "exists", "false", "fetch", "for", "foreign", "freeze", "from", "full",
    "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
    "interval", "into", "is", "isnull", "join", "lateral", "leading", "left", "like",
    "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset",
    "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references",
    "returning", "right", "select", "session_user", "similar", "some", "symmetric", "table",
    "tablesample", "then", "to", "top", "trailing", "trim", "true", "union", "unique",
    "unnest", "user", "using", "variadic", "verbose", "when", "where", "window", "with",
];

/// Amazon Redshift's "Reserved words" (docs.aws.amazon.com/redshift/latest/dg/
/// r_pg_keywords.html).
///
/// Also `exists`, `lateral`, `trim`: sqlparser's `RedshiftSqlDialect` cannot read them
/// bare (harmless to quote: the engine folds unquoted names to lower case, or keeps them).
#[rustfmt::skip]
pub const REDSHIFT: &[&str] = &[
    "aes128", "aes256", "all", "allowoverwrite", "analyse", "analyze", "and", "any",
    "array", "as", "asc", "authorization", "az64", "backup", "between", "binary",
    "blanksasnull", "both", "bytedict", "bzip2", "case", "cast", "check", "collate",
    "column", "constraint", "create", "credentials", "cross", "current_date",
    "current_time", "current_timestamp", "current_user", "current_user_id", "default",
    "deferrable", "deflate", "defrag", "delta", "delta32k", "desc", "disable", "distinct",
    "do", "else", "emptyasnull", "enable", "encode", "encrypt", "encryption", "end",
    "except", "exists", "explicit", "false", "for", "foreign", "freeze", "from", "full",
    "globaldict256", "globaldict64k", "grant", "group", "gzip", "having", "identity",
    "ignore", "ilike", "in", "initially", "inner", "intersect", "interval", "into", "is",
    "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
    "localtimestamp", "lun", "luns", "lzo", "lzop", "minus", "mostly16", "mostly32",
    "mostly8", "natural", "new", "not", "notnull", "null", "nulls", "off", "offline",
    "offset", "oid", "old", "on", "only", "open", "or", "order", "outer", "overlaps",
    "parallel", "partition", "percent", "permissions", "pivot", "placing", "primary", "raw",
    "readratio", "recover", "references", "rejectlog", "resort", "respect", "restore",
    "right", "select", "session_user", "similar", "snapshot", "some", "sysdate", "system",
    "table", "tag", "tdes", "text255", "text32k", "then", "timestamp", "to", "top",
    "trailing", "trim", "true", "truncatecolumns", "union", "unique", "unnest", "unpivot",
    "user", "using", "verbose", "wallet", "when", "where", "with", "without",
];

/// Snowflake's "Reserved & limited keywords" (docs.snowflake.com/en/sql-reference/
/// reserved-keywords), without the four limited only in statements segql never writes
/// (`account`, `connection` and `database` in SHOW commands, `constraint` as a column
/// name in CREATE TABLE): quoting them would make the name case-sensitive.
#[rustfmt::skip]
pub const SNOWFLAKE: &[&str] = &[
    "all", "alter", "and", "any", "as", "between", "by", "case", "cast", "check", "column",
    "connect", "create", "cross", "current", "current_date", "current_time",
    "current_timestamp", "current_user", "delete", "distinct", "drop", "else", "exists",
    "false", "following", "for", "from", "full", "grant", "group", "gscluster", "having",
    "ilike", "in", "increment", "inner", "insert", "intersect", "into", "is", "issue",
    "join", "lateral", "left", "like", "localtime", "localtimestamp", "minus", "natural",
    "not", "null", "of", "on", "or", "order", "organization", "qualify", "regexp", "revoke",
    "right", "rlike", "row", "rows", "sample", "schema", "select", "set", "some", "start",
    "table", "tablesample", "then", "to", "trigger", "true", "try_cast", "union", "unique",
    "update", "using", "values", "view", "when", "whenever", "where", "with",
];

/// GoogleSQL's reserved keywords (cloud.google.com/bigquery/docs/reference/standard-sql/
/// lexical#reserved_keywords).
///
/// Also `table`, `top`, `trim`: sqlparser's `BigQueryDialect` cannot read them
/// bare (harmless to quote: the engine folds unquoted names to lower case, or keeps them).
#[rustfmt::skip]
pub const BIGQUERY: &[&str] = &[
    "all", "and", "any", "array", "as", "asc", "assert_rows_modified", "at", "between",
    "by", "case", "cast", "collate", "contains", "create", "cross", "cube", "current",
    "default", "define", "desc", "distinct", "else", "end", "enum", "escape", "except",
    "exclude", "exists", "extract", "false", "fetch", "following", "for", "from", "full",
    "group", "grouping", "groups", "hash", "having", "if", "ignore", "in", "include",
    "inner", "intersect", "interval", "into", "is", "join", "lateral", "left", "like",
    "limit", "lookup", "merge", "natural", "new", "no", "not", "null", "nulls", "of", "on",
    "or", "order", "outer", "over", "partition", "pivot", "preceding", "proto", "qualify",
    "range", "recursive", "respect", "right", "rollup", "rows", "select", "set", "some",
    "struct", "table", "tablesample", "then", "to", "top", "treat", "trim", "true",
    "unbounded", "union", "unnest", "unpivot", "using", "when", "where", "window", "with",
    "within",
];

/// Spark 4.3: `sql_keywords()` where `reserved` with
/// `spark.sql.ansi.enforceReservedKeywords`
/// on (the ANSI reserved words), and `true`, which Spark 4.3 rejects as a bare column
/// name by default although it is not listed.
///
/// Also `interval`, `struct`, `top`, `trim`: sqlparser's `DatabricksDialect` cannot read
/// them bare (harmless to quote: the engine folds unquoted names to lower case, or keeps
/// them).
#[rustfmt::skip]
pub const DATABRICKS: &[&str] = &[
    "all", "and", "any", "as", "authorization", "both", "call", "case", "cast", "check",
    "collate", "collation", "collations", "column", "constraint", "create", "cross",
    "current_date", "current_path", "current_schema", "current_time", "current_timestamp",
    "current_user", "distinct", "else", "end", "escape", "except", "execute", "false",
    "fetch", "filter", "for", "foreign", "from", "full", "grant", "group", "having", "in",
    "inner", "intersect", "interval", "into", "is", "join", "lateral", "leading", "left",
    "localtime", "natural", "not", "null", "offset", "on", "only", "or", "order", "outer",
    "overlaps", "primary", "recursive", "references", "right", "select", "session_user",
    "some", "sql", "struct", "table", "then", "time", "to", "top", "trailing", "trim",
    "true", "union", "unique", "unknown", "user", "using", "when", "where", "with",
    "within",
];

/// ClickHouse has no reserved words by its documentation; these are the words ClickHouse
/// 26.9 (chdb) rejected or misread bare in the positions segql writes names, out of every
/// keyword in its `system.keywords` table and every keyword sqlparser knows.
///
/// Also `exists`, `from`, `interval`, `lateral`, `table`, `trim`: sqlparser's
/// `ClickHouseDialect` cannot read them
/// bare (harmless to quote: the engine folds unquoted names to lower case, or keeps them).
#[rustfmt::skip]
pub const CLICKHOUSE: &[&str] = &[
    "all", "distinct", "exists", "false", "from", "interval", "lateral", "not", "null",
    "table", "top", "trim", "true",
];

/// Trino's reserved keywords (trino.io/docs/current/language/reserved.html).
///
/// Also `all`, `analyze`, `cluster`, `distribute`, `exclude`, `explain`, `fetch`,
/// `interval`, `lateral`, `limit`, `minus`, `offset`, `returning`, `sort`, `struct`, `top`,
/// `view`: sqlparser's `GenericDialect` cannot read them
/// bare (harmless to quote: the engine folds unquoted names to lower case, or keeps them).
#[rustfmt::skip]
pub const TRINO: &[&str] = &[
    "all", "alter", "analyze", "and", "as", "auto", "between", "by", "case", "cast",
    "cluster", "constraint", "create", "cross", "cube", "current_catalog", "current_date",
    "current_path", "current_role", "current_schema", "current_time", "current_timestamp",
    "current_user", "deallocate", "delete", "describe", "distinct", "distribute", "drop",
    "else", "end", "escape", "except", "exclude", "execute", "exists", "explain", "extract",
    "false", "fetch", "for", "from", "full", "group", "grouping", "having", "in", "inner",
    "insert", "intersect", "interval", "into", "is", "join", "json_array", "json_exists",
    "json_object", "json_query", "json_table", "json_value", "lateral", "left", "like",
    "limit", "listagg", "localtime", "localtimestamp", "minus", "natural", "normalize",
    "not", "null", "offset", "on", "or", "order", "outer", "prepare", "recursive",
    "returning", "right", "rollup", "select", "skip", "sort", "struct", "table", "then",
    "top", "trim", "true", "uescape", "union", "unnest", "using", "values", "view", "when",
    "where", "with",
];
