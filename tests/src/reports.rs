//! Reports across engines: every report of a fixture project, on the rows of each test
//! block of the report's file, as of that block's `as_of`, compared cell by cell with the
//! hand-checked rows in `fixtures/results/reports.expected`.
//!
//! Cells are compared as text after one normalisation (docs/testing.md, "Reports"):
//! unset is `null`; a number is compared by its value (`1.50` = `1.5` = `1.500000`,
//! `-0` = `0`; a float's exponent form is expanded), because engines print the same
//! DECIMAL(38, 9) sum with or without its trailing zeros; a time drops a fraction of
//! zeros (`03:03:03.000000` = `03:03:03`). Anything else must match exactly.

use crate::engines::{Engine, Rows};
use segql_plan::compile::{self, Options, Request};
use segql_plan::ir::Program;
use segql_syntax::SourceMap;

/// One table of `reports.expected`: a report's rows on one test block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub report: String,
    pub test: String,
    /// `segment` and the metrics' names.
    pub header: Vec<String>,
    /// Cells as written; `None` for `null`.
    pub rows: Vec<Vec<Option<String>>>,
    /// 1-based line of the `report … on …` line, for messages.
    pub line: usize,
}

/// Parses `reports.expected`: `# comments`, and for each table a line
/// `report NAME on TEST` followed by `| a | b |` rows, the first of them the header.
pub fn parse_expected(text: &str) -> Result<Vec<Expected>, String> {
    let mut out: Vec<Expected> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(rest) = t.strip_prefix("report ") {
            let (report, test) = rest
                .split_once(" on ")
                .ok_or_else(|| format!("line {n}: expected `report NAME on TEST`"))?;
            out.push(Expected {
                report: report.trim().to_string(),
                test: test.trim().to_string(),
                header: Vec::new(),
                rows: Vec::new(),
                line: n,
            });
            continue;
        }
        let Some(inner) = t.strip_prefix('|').and_then(|r| r.strip_suffix('|')) else {
            return Err(format!("line {n}: expected a `| ... |` row: {t}"));
        };
        let cells: Vec<String> = inner.split('|').map(|c| c.trim().to_string()).collect();
        let table = out
            .last_mut()
            .ok_or_else(|| format!("line {n}: a row before any `report ... on ...` line"))?;
        if table.header.is_empty() {
            table.header = cells;
        } else {
            if cells.len() != table.header.len() {
                return Err(format!(
                    "line {n}: {} cells, the header has {}",
                    cells.len(),
                    table.header.len()
                ));
            }
            table.rows.push(
                cells
                    .into_iter()
                    .map(|c| (c != "null").then_some(c))
                    .collect(),
            );
        }
    }
    Ok(out)
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A decimal's canonical text: no trailing zeros after the point, no bare point, no `-0`.
fn canonical_decimal(s: &str) -> String {
    let mut t = s.to_string();
    if t.contains('.') {
        while t.ends_with('0') {
            t.pop();
        }
        if t.ends_with('.') {
            t.pop();
        }
    }
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d.to_string()),
        None => (false, t),
    };
    let digits = {
        let trimmed = digits.trim_start_matches('0');
        if trimmed.is_empty() || trimmed.starts_with('.') {
            format!("0{trimmed}")
        } else {
            trimmed.to_string()
        }
    };
    if neg && digits != "0" {
        format!("-{digits}")
    } else {
        digits
    }
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]` (or with `T`): the same instant with trailing zero
/// fraction digits dropped.
fn canonical_time(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (head, frac) = s.split_at(19);
    let digits = |f: &str| f.bytes().all(|c| c.is_ascii_digit());
    if !(frac.is_empty() || frac.strip_prefix('.').is_some_and(digits)) {
        return None;
    }
    let mut out = head.replacen('T', " ", 1);
    let frac = frac.trim_start_matches('.').trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// A cell as compared (see the module's documentation).
pub fn normalise(cell: Option<&str>) -> String {
    let Some(s) = cell else {
        return "null".to_string();
    };
    if is_decimal(s) {
        return canonical_decimal(s);
    }
    if s.contains(['e', 'E']) {
        if let Ok(f) = s.parse::<f64>() {
            if f.is_finite() {
                return canonical_decimal(&format!("{f}"));
            }
        }
    }
    if let Some(t) = canonical_time(s) {
        return t;
    }
    s.to_string()
}

/// What one report found on one test block's rows.
#[derive(Debug, Clone)]
pub struct ReportRun {
    pub report: String,
    pub test: String,
    /// The rows, or why the report could not be loaded, compiled or run.
    pub rows: Result<Rows, String>,
}

/// The file a span is in, by its last path component (`reports.seg`).
fn file_of(map: &SourceMap, span: segql_syntax::Span) -> String {
    let loc = map.location(span);
    let file = loc.split(':').next().unwrap_or(&loc);
    file.rsplit('/').next().unwrap_or(file).to_string()
}

/// Runs every report of `p` on the rows of each test block of the report's file.
pub fn run_reports(engine: &mut dyn Engine, map: &SourceMap, p: &Program) -> Vec<ReportRun> {
    let mut out = Vec::new();
    for t in &p.tests {
        let file = file_of(map, t.span);
        let reports: Vec<usize> = (0..p.reports.len())
            .filter(|&ri| file_of(map, p.reports[ri].span) == file)
            .collect();
        if reports.is_empty() {
            continue;
        }
        let loaded = crate::conformance::tables(p, t).and_then(|tables| {
            tables
                .iter()
                .try_for_each(|tb| engine.load(tb))
                .map_err(|e| format!("loading the given rows: {e}"))
        });
        for ri in reports {
            let rows = loaded.clone().and_then(|()| {
                let q = compile::compile(
                    p,
                    &Request::Report(ri),
                    engine.dialect(),
                    Options::literal(t.as_of),
                )
                .map_err(|u| format!("does not compile: {u}"))?;
                let sql = compile::to_sql(&q);
                engine
                    .rows(&sql)
                    .map_err(|e| format!("{e}\n-- the statement:\n{sql}"))
            });
            out.push(ReportRun {
                report: p.reports[ri].name.clone(),
                test: t.name.clone(),
                rows,
            });
        }
    }
    out
}

/// The differences between a run and its expected table, one line each (empty when
/// they agree).
pub fn compare(run: &ReportRun, want: &Expected) -> Vec<String> {
    let rows = match &run.rows {
        Err(e) => return vec![format!("could not run: {e}")],
        Ok(r) => r,
    };
    let mut diffs = Vec::new();
    if rows.len() != want.rows.len() {
        diffs.push(format!(
            "{} rows, expected {} (reports.expected line {})",
            rows.len(),
            want.rows.len(),
            want.line
        ));
    }
    for (ri, (got, exp)) in rows.iter().zip(&want.rows).enumerate() {
        if got.len() != exp.len() {
            diffs.push(format!(
                "row {}: {} columns, expected {}",
                ri + 1,
                got.len(),
                exp.len()
            ));
            continue;
        }
        for (ci, (g, e)) in got.iter().zip(exp).enumerate() {
            let (gn, en) = (normalise(g.as_deref()), normalise(e.as_deref()));
            if gn != en {
                diffs.push(format!(
                    "row {} ({}), {}: got {:?} ({gn}), expected {en}",
                    ri + 1,
                    exp.first().cloned().flatten().unwrap_or_default(),
                    want.header[ci],
                    g
                ));
            }
        }
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value_and_times_without_zero_fractions() {
        for (a, b) in [
            ("10.250000000", "10.25"),
            ("1.000000", "1"),
            ("-0.000001", "-0.0000010"),
            ("-0.000000", "0"),
            ("0.400000", "0.4"),
            ("007", "7"),
            ("1e-05", "0.00001"),
            ("2023-03-03 03:03:03.000000", "2023-03-03 03:03:03"),
            ("2023-03-03T03:03:03", "2023-03-03 03:03:03"),
            ("2023-03-03 03:03:03.500", "2023-03-03 03:03:03.5"),
        ] {
            assert_eq!(normalise(Some(a)), normalise(Some(b)), "{a} vs {b}");
        }
        for (a, b) in [
            ("10.25", "10.250001"),
            ("0.37079", "0.370787"),
            ("North", "north"),
            ("0", "null"),
            ("nan", "null"),
            ("x ", "x"),
            ("2023-03-03 03:03:03.1", "2023-03-03 03:03:03"),
        ] {
            assert_ne!(normalise(Some(a)), normalise(Some(b)), "{a} vs {b}");
        }
        assert_eq!(normalise(None), "null");
    }

    #[test]
    fn the_expected_file_format() {
        let t = "# c\nreport r on t\n| segment | n |\n| a | 1 |\n| b | null |\n";
        let e = parse_expected(t).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].header, ["segment", "n"]);
        assert_eq!(
            e[0].rows,
            vec![
                vec![Some("a".to_string()), Some("1".to_string())],
                vec![Some("b".to_string()), None]
            ]
        );
        assert!(parse_expected("| a |\n").is_err());
        assert!(parse_expected("report r on t\n| a | b |\n| 1 |\n").is_err());
    }
}
