//! `segql test`: the project's `test` blocks (on their given rows) and `assert` blocks
//! (on the bound data), with a JUnit report for CI. With `--target NAME` both run on the
//! target: the given rows in temporary tables there, the asserts on its tables.

use crate::data;
use crate::output;
use crate::progress::Progress;
use crate::project;
use anyhow::{Context, Result};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use segql_plan::compile::Options;
use segql_plan::deps::Node;
use segql_plan::ir::AssertCheck;
use segql_project::artifacts::Status;
use segql_run::assertions::run_assert;
use segql_run::testing::{run_test, run_test_on};
use segql_run::warehouse::{on_target, TargetBackend};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

pub use crate::args::Test as Args;
pub use crate::args::TestFormat;

/// How `test` reports: lines for people, each printed as its check finishes; with
/// `--format github` also a workflow annotation on each failure's declaration; with
/// `--fail-fast`, stopped at the first failure.
struct Reporter<'a> {
    map: &'a segql_syntax::SourceMap,
    github: bool,
    fail_fast: bool,
    /// Set at the first failure under `--fail-fast`: the rest is not run.
    stopped: bool,
    /// Checks not run because of `--fail-fast`.
    skipped: usize,
    /// With `--format sarif`: the failures, for the log printed at the end (the lines
    /// go to stderr meanwhile, so that stdout holds the log alone).
    sarif: Option<Vec<segql_syntax::diag::Diagnostic>>,
}

impl Reporter<'_> {
    fn line(&self, line: &str) {
        if self.sarif.is_some() {
            eprintln!("{line}");
        } else {
            outln!("{line}");
        }
    }

    fn ok(&mut self, line: String) {
        self.line(&line);
    }

    fn fail(&mut self, line: String, span: segql_syntax::Span, title: &str, detail: &str) {
        self.line(&line);
        if let Some(found) = &mut self.sarif {
            // The rule is the kind of check: `segql-test` or `segql-assert`.
            let rule = if title.starts_with("segql assert") {
                "segql-assert"
            } else {
                "segql-test"
            };
            found.push(segql_syntax::diag::Diagnostic::error(
                rule,
                span,
                format!("{title}: {}", dedented(detail).replace('\n', "; ")),
            ));
        }
        if self.github {
            out!(
                "{}",
                crate::annotate::github_at(self.map, span, "error", title, &dedented(detail))
            );
        }
        self.stopped |= self.fail_fast;
    }
}

/// A failure's detail without the indentation it has under its `FAIL` line.
fn dedented(detail: &str) -> String {
    detail
        .trim_end()
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A message of several lines (DuckDB's CSV errors) indented under its first.
fn continued(message: &str) -> String {
    message.replace('\n', "\n      ")
}

pub fn run(args: Args, color: bool) -> Result<ExitCode> {
    // A report that cannot be written is known before the tests run.
    if let Some(dir) = args
        .junit
        .as_deref()
        .and_then(|p| p.parent())
        .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
    {
        anyhow::bail!(
            "cannot write the JUnit report to {}: there is no directory {}",
            project::display_path(args.junit.as_deref().unwrap_or(dir)),
            project::display_path(dir)
        );
    }
    let ws = project::workspace(&args.paths)?;
    output::print_diagnostics(&ws.map, &ws.diags, color);
    let Some(program) = ws.program.as_ref().filter(|_| !ws.has_errors()) else {
        eprintln!("not tested: {}", output::count_summary(&ws.diags));
        return Ok(ExitCode::from(1));
    };
    if let Some(path) = &args.junit {
        let sources = data::sources(&ws.inputs, Some(program));
        data::check_write(
            &ws.map,
            &ws.inputs,
            Some(program),
            &sources,
            path,
            "the JUnit report to",
            color,
        )?;
    }
    let base = ws
        .inputs
        .root
        .clone()
        .or_else(|| {
            ws.inputs
                .files
                .first()
                .and_then(|f| f.parent().map(|p| p.to_path_buf()))
        })
        .unwrap_or_else(|| PathBuf::from("."));
    // Tests selected by name, and those that expect members of a selected segment,
    // report, split or priority list (dbt's indirect selection), unless excluded; the
    // asserts of selected segments.
    let selected = crate::selection::select(&ws, program, &args.select)?;
    let sel = &selected.selection;
    let test_wanted = |i: usize| {
        let node = Node::Test(i);
        !sel.excluded.contains(&node)
            && (sel.nodes.contains(&node)
                || program.tests[i]
                    .expects
                    .iter()
                    .any(|e| sel.nodes.contains(&Node::from(e.target))))
    };
    let command_started = Instant::now();
    let assert_as_of = args.as_of.instant()?;
    let mut results = crate::artifacts::Results::new("test", assert_as_of);
    let status_of = |passed: bool, error: bool| match (passed, error) {
        (true, _) => Status::Pass,
        (false, true) => Status::Error,
        (false, false) => Status::Fail,
    };
    // The target, connected once for every test and assert.
    let target = match args.target.as_deref() {
        None => None,
        Some(spec) => {
            let t = crate::target_cmd::select(&ws, spec, color)?;
            if t.kind == segql_target::Kind::DuckDb {
                None
            } else {
                let mapped = on_target(program, &t);
                let tb = TargetBackend::connect(t)
                    .map_err(|e| anyhow::Error::from(data::query_error(&e)))?;
                Some((tb, mapped))
            }
        }
    };
    let mut suite_tests = TestSuite::new("tests");
    let mut suite_asserts = TestSuite::new("asserts");
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut report = Reporter {
        map: &ws.map,
        github: args.format == TestFormat::Github,
        fail_fast: args.fail_fast,
        stopped: false,
        skipped: 0,
        sarif: (args.format == TestFormat::Sarif).then(Vec::new),
    };
    for (_, t) in program
        .tests
        .iter()
        .enumerate()
        .filter(|(i, _)| test_wanted(*i))
    {
        if report.stopped {
            report.skipped += 1;
            continue;
        }
        let shown = Progress::start(format!("test {}", t.name));
        let outcome = match &target {
            Some((tb, _)) => run_test_on(tb, program, t, &base),
            None => run_test(program, t, &base),
        };
        let elapsed = shown.finish();
        let loc = ws.map.location(t.span);
        let mut detail = String::new();
        if let Some(e) = &outcome.error {
            detail.push_str(&format!("    could not run: {}\n", continued(e)));
        }
        for e in outcome.expects.iter().filter(|e| !e.passed()) {
            detail.push_str(&format!("    {}:\n", e.target));
            if !e.missing.is_empty() {
                detail.push_str(&format!("      missing    {}\n", e.missing.join(", ")));
            }
            if !e.unexpected.is_empty() {
                detail.push_str(&format!("      unexpected {}\n", e.unexpected.join(", ")));
            }
            detail.push_str(&format!(
                "      expected [{}], got [{}]\n",
                e.expected.join(", "),
                e.actual.join(", ")
            ));
        }
        let status = if outcome.passed() {
            passed += 1;
            let n = outcome.expects.len();
            report.ok(format!(
                "ok    test {} ({n} expectation{})",
                t.name,
                if n == 1 { "" } else { "s" }
            ));
            TestCaseStatus::success()
        } else {
            failed += 1;
            report.fail(
                format!("FAIL  test {} ({loc})\n{}", t.name, detail.trim_end()),
                t.span,
                &format!("segql test {} failed", t.name),
                &detail,
            );
            let mut s = TestCaseStatus::non_success(if outcome.error.is_some() {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            });
            s.set_message(format!("test {} failed", t.name));
            s.set_description(detail.clone());
            s
        };
        results.add(
            format!("test.{}", t.name),
            status_of(outcome.passed(), outcome.error.is_some()),
            elapsed,
            None,
            None,
            (!outcome.passed()).then(|| detail.trim().to_string()),
        );
        let mut case = TestCase::new(t.name.clone(), status);
        case.set_time(elapsed);
        case.set_classname(loc);
        suite_tests.add_test_case(case);
    }
    let asserts: Vec<_> = program
        .asserts
        .iter()
        .filter(|a| sel.nodes.contains(&Node::Segment(a.segment)))
        // `size change within` needs a size before: `segql diff` checks it.
        .filter(|a| {
            a.checks
                .iter()
                .any(|c| !matches!(c, AssertCheck::SizeChange(..)))
        })
        .collect();
    if report.stopped {
        report.skipped += asserts.len();
    } else if !asserts.is_empty() {
        // The data the asserted segments and the segments they are compared with read.
        let read = asserts.iter().flat_map(|a| {
            std::iter::once(Node::Segment(a.segment)).chain(a.checks.iter().filter_map(
                |c| match c {
                    AssertCheck::DisjointWith(s, _) | AssertCheck::SubsetOf(s, _) => {
                        Some(Node::Segment(*s))
                    }
                    AssertCheck::Size(..) | AssertCheck::SizeChange(..) => None,
                },
            ))
        });
        let relations = selected.graph.relations(read);
        let bound: Result<Box<dyn segql_run::Backend + '_>, _> = match &target {
            Some((tb, _)) => {
                let diags = crate::target_cmd::fits(tb, program)?;
                if diags.is_empty() {
                    Ok(Box::new(tb))
                } else {
                    Err(diags)
                }
            }
            None => data::bind(&ws, program, Some(&relations), &[])?
                .map(|e| Box::new(e) as Box<dyn segql_run::Backend>),
        };
        let program = target.as_ref().map(|(_, p)| p).unwrap_or(program);
        match bound {
            Err(diags) => {
                output::print_diagnostics(&ws.map, &diags, color);
                for a in &asserts {
                    failed += 1;
                    results.add(
                        format!("assert.{}", program.segments[a.segment].name),
                        Status::Error,
                        std::time::Duration::ZERO,
                        None,
                        None,
                        Some("the project's data could not be bound".to_string()),
                    );
                    let name = format!("assert {}", program.segments[a.segment].name);
                    report.fail(
                        format!("FAIL  {name}: the data could not be bound (see above)"),
                        a.span,
                        &format!("segql {name} could not run"),
                        "the project's data could not be bound",
                    );
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message("the project's data could not be bound");
                    suite_asserts.add_test_case(TestCase::new(name, s));
                }
            }
            Ok(engine) => {
                let opts = Options::literal(assert_as_of);
                for a in asserts {
                    if report.stopped {
                        report.skipped += 1;
                        continue;
                    }
                    let started = Instant::now();
                    let shown =
                        Progress::start(format!("assert {}", program.segments[a.segment].name));
                    let outcome = run_assert(engine.as_ref(), program, a, opts);
                    shown.finish();
                    let name = format!("assert {}", outcome.segment);
                    let mut detail = String::new();
                    if let Some(e) = &outcome.error {
                        detail.push_str(&format!("    could not run: {}\n", continued(e)));
                    }
                    for c in &outcome.checks {
                        let mark = if c.passed { "ok  " } else { "FAIL" };
                        detail.push_str(&format!("    {mark} {}: {}\n", c.check, c.detail));
                    }
                    let status = if outcome.passed() {
                        passed += 1;
                        let n = outcome.checks.len();
                        report.ok(format!(
                            "ok    {name} ({n} check{})",
                            if n == 1 { "" } else { "s" }
                        ));
                        TestCaseStatus::success()
                    } else {
                        failed += 1;
                        report.fail(
                            format!(
                                "FAIL  {name} ({})\n{}",
                                ws.map.location(a.span),
                                detail.trim_end()
                            ),
                            a.span,
                            &format!("segql {name} failed"),
                            &detail,
                        );
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(format!("{name} failed"));
                        s.set_description(detail.clone());
                        s
                    };
                    results.add(
                        format!("assert.{}", outcome.segment),
                        status_of(outcome.passed(), outcome.error.is_some()),
                        started.elapsed(),
                        None,
                        None,
                        (!outcome.passed()).then(|| detail.trim().to_string()),
                    );
                    let mut case = TestCase::new(name, status);
                    case.set_classname(ws.map.location(a.span));
                    case.set_time(started.elapsed());
                    suite_asserts.add_test_case(case);
                }
            }
        }
    }
    if report.skipped > 0 {
        eprintln!(
            "stopped at the first failure (--fail-fast): {} check{} not run",
            report.skipped,
            if report.skipped == 1 { "" } else { "s" }
        );
    }
    let total = passed + failed;
    if total == 0 {
        eprintln!("no tests or asserts to run");
    } else {
        eprintln!(
            "{total} check{}: {passed} passed, {failed} failed",
            if total == 1 { "" } else { "s" }
        );
    }
    if let Some(dir) = crate::artifacts::dir(&ws, args.artifacts.target_path.as_deref()) {
        crate::artifacts::write_manifest(
            &ws,
            program,
            &selected.graph,
            &[&segql_plan::dialect::DuckDb],
            Options::literal(assert_as_of),
            "test",
            &dir,
            color,
        )?;
        results.write(&ws, program, &dir, command_started.elapsed(), color)?;
    }
    if let Some(found) = &report.sarif {
        outln!(
            "{}",
            serde_json::to_string_pretty(&crate::annotate::sarif(&ws.map, found))?
        );
    }
    if let Some(path) = &args.junit {
        let mut report = Report::new("segql");
        report.add_test_suites([suite_tests, suite_asserts]);
        let xml = report.to_string().context("writing the JUnit report")?;
        std::fs::write(path, xml)
            .with_context(|| format!("cannot write {}", project::display_path(path)))?;
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
