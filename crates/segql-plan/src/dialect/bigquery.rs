//! BigQuery (GoogleSQL).

use super::*;

impl Dialect for BigQuery {
    fn pick_value(&self, sql: &Sql<'_>, p: pick::Pick) -> Expr {
        // MAX_BY cannot order by a STRUCT: the first element of the ordered array of
        // the group's values, NULLs (rows outside the condition) left out.
        let x = sql.case(vec![(p.cond.clone(), p.value.clone())], None);
        let mut f = sql.function("ARRAY_AGG", vec![x]);
        if let sqlparser::ast::FunctionArguments::List(l) = &mut f.args {
            use sqlparser::ast::{FunctionArgumentClause as C, NullTreatment};
            l.clauses
                .push(C::IgnoreOrRespectNulls(NullTreatment::IgnoreNulls));
            l.clauses.push(C::OrderBy(pick::order_by(&p)));
            l.clauses.push(C::Limit(number("1")));
        }
        pick::element(
            Expr::Function(f),
            sql.func("SAFE_OFFSET", vec![number("0")]),
        )
    }
    fn cast_type(&self, t: Type) -> &'static str {
        match t {
            Type::Float => "FLOAT64",
            Type::String => "STRING",
            Type::Timestamp => "TIMESTAMP",
            Type::Int => "INT64",
            // NUMERIC is BigQuery's DECIMAL(38, 9).
            Type::Decimal => "NUMERIC",
            Type::Bool => "BOOL",
            Type::Date => "DATE",
        }
    }
    fn sql_fn(&self, sql: &Sql<'_>, f: SqlFn, args: Vec<Expr>) -> Expr {
        match f {
            // TRIM(x) removes every kind of whitespace on BigQuery; the others remove
            // spaces.
            SqlFn::Trim => sql.func("TRIM", args.into_iter().chain([sql.string(" ")]).collect()),
            SqlFn::Mod => sql.func("MOD", args),
            f => sql.func(f.name(), args),
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            distinct: DistinctScan::Shared,
            windows: WindowTiers::OneScan,
            active_periods: ActivePeriods::DistinctCount,
            unmatched: Unmatched::Null,
            cond_agg: CondAgg::Case,
            sequences: Sequences::WindowPasses,
            long_batch: LongBatch::UnionAll,
            ntiles: Ntiles::OwnCte,
            ntiles_alone: NtilesAlone::OwnCte,
            lapses: Lapses::Aggregate,
            // Not measured; a collation other than byte order could put a listed name
            // outside the range.
            name_ranges: NameRanges::Never,
            // Not measured.
            sequence_joins: SequenceJoins::Never,
            sequence_lists: SequenceLists::Never,
            lookups: Lookups::Never,
            // Not measured.
            name_windows: NameWindows::Never,
            // No window tiers, or no statistics-bound aggregate of rare rows.
            rare_tiers: RareTiers::OwnScan,
        }
    }
    fn name(&self) -> &'static str {
        "bigquery"
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        reserved::BIGQUERY
    }
    fn parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::BigQueryDialect {})
    }
    fn notes(&self) -> &'static str {
        "a catalog timestamp is a TIMESTAMP column; read a DATETIME column through a view (TIMESTAMP(col))"
    }
    fn ident_quote(&self) -> char {
        '`'
    }
    fn render_ident(&self, name: &str) -> String {
        if plain(name, self.reserved_words()) {
            return name.to_string();
        }
        // Quoted names take the string escapes; a backtick is written `\x60`, which
        // also keeps SQL tools that only know doubled quotes from splitting the name.
        backslash_quoted(name, '`', "\\x60", "\0")
    }
    fn string_style(&self) -> StringStyle {
        StringStyle::Backslash
    }
    fn unrepresentable(&self, s: &str) -> Option<&'static str> {
        s.contains('\0')
            .then_some("BigQuery strings cannot hold a NUL character")
    }
    fn timestamp_of_text(&self, text: &str) -> Expr {
        raw(format!("TIMESTAMP '{text}+00'"))
    }
    fn now_utc(&self) -> Expr {
        // TIMESTAMP is an instant in BigQuery, like the literal; partitions are pruned
        // on it.
        raw("CURRENT_TIMESTAMP()".into())
    }
    fn timestamp_param(&self, name: &str) -> Result<Expr, String> {
        // A named query parameter; the cast also takes one bound as a STRING.
        Ok(raw(format!("CAST(@{name} AS TIMESTAMP)")))
    }
    fn string_type(&self) -> &'static str {
        "STRING"
    }
    fn cond_agg(&self, sql: &Sql<'_>, f: AggFn, arg: Option<Expr>, cond: Option<Expr>) -> Expr {
        match (f, cond) {
            (AggFn::Count, Some(c)) => sql.func("COUNTIF", vec![c]),
            (f, cond) => default_cond_agg(self, sql, f, arg, cond),
        }
    }
    fn minus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        if unit == "MONTH" {
            // TIMESTAMP_SUB has no months; DATETIME_SUB does (in UTC).
            sql.func(
                "TIMESTAMP",
                vec![sql.func(
                    "DATETIME_SUB",
                    vec![
                        sql.func("DATETIME", vec![ts]),
                        raw(format!("INTERVAL {n} MONTH")),
                    ],
                )],
            )
        } else {
            sql.func(
                "TIMESTAMP_SUB",
                vec![ts, raw(format!("INTERVAL {n} {unit}"))],
            )
        }
    }
    fn plus(&self, sql: &Sql<'_>, ts: Expr, d: Duration) -> Expr {
        let (n, unit) = normalized(d);
        if unit == "MONTH" {
            sql.func(
                "TIMESTAMP",
                vec![sql.func(
                    "DATETIME_ADD",
                    vec![
                        sql.func("DATETIME", vec![ts]),
                        raw(format!("INTERVAL {n} MONTH")),
                    ],
                )],
            )
        } else {
            sql.func(
                "TIMESTAMP_ADD",
                vec![ts, raw(format!("INTERVAL {n} {unit}"))],
            )
        }
    }
    fn epoch_micros(&self, sql: &Sql<'_>, ts: Expr) -> Expr {
        sql.func("UNIX_MICROS", vec![ts])
    }
    fn int_div(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        sql.func("DIV", vec![a, b])
    }
    fn contains(&self, sql: &Sql<'_>, v: Expr, s: Expr) -> Expr {
        bin(
            sql.func("STRPOS", vec![v, s]),
            BinaryOperator::Gt,
            number("0"),
        )
    }
    fn regex(&self, sql: &Sql<'_>, v: Expr, pattern: Expr) -> Expr {
        sql.func("REGEXP_CONTAINS", vec![v, pattern])
    }
    fn md5_hex(&self, sql: &Sql<'_>, s: Expr) -> Expr {
        sql.func("TO_HEX", vec![sql.func("MD5", vec![s])])
    }
    fn hex8_to_int(&self, sql: &Sql<'_>, hex: Expr) -> Expr {
        sql.cast(sql.func("CONCAT", vec![sql.string("0x"), hex]), "INT64")
    }
    fn substr(&self, sql: &Sql<'_>, s: Expr, from: i64, len: i64) -> Expr {
        sql.func("SUBSTR", vec![s, sql.int(from), sql.int(len)])
    }
    fn modulo(&self, sql: &Sql<'_>, a: Expr, b: Expr) -> Expr {
        sql.func("MOD", vec![a, b])
    }
    fn byte_order(&self, sql: &Sql<'_>, e: Expr) -> Expr {
        // Strings compare by code point unless the column, table or dataset has a
        // collation ('und:ci'); the empty collation specification is that binary order,
        // and every operand of a comparison gets it, so none carries another collation.
        sql.func("COLLATE", vec![e, sql.string("")])
    }
    fn report_decimal_type(&self) -> &'static str {
        // NUMERIC holds at most 9 decimals and 29 integer digits.
        "NUMERIC(35, 6)"
    }
    fn rounded_quotient(&self, sql: &Sql<'_>, num: Expr, den: Expr) -> Expr {
        // NUMERIC has 9 decimals, too few for an exact rounding to 6; BIGNUMERIC has 38.
        // ROUND rounds half away from zero unless told otherwise.
        let q = bin(sql.cast(num, "BIGNUMERIC"), BinaryOperator::Divide, den);
        sql.cast(
            sql.func("ROUND", vec![q, number(&REPORT_SCALE.to_string())]),
            self.report_decimal_type(),
        )
    }
}
