//! `segql test`: the project's `test` blocks (on their given rows) and `assert` blocks
//! (on the bound data), with a JUnit report for CI. With `--target NAME` both run on the
//! target: the given rows in temporary tables there, the asserts on its tables.

use crate::data;
use crate::output;
use crate::project;
use anyhow::{Context, Result};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use segql_plan::compile::Options;
use segql_run::assertions::run_assert;
use segql_run::testing::{run_test, run_test_on};
use segql_run::warehouse::{on_target, TargetBackend};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

pub use crate::args::Test as Args;

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
    let wanted = |name: &str| {
        args.select.is_empty()
            || args
                .select
                .iter()
                .flat_map(|s| s.split(','))
                .any(|s| s.trim() == name)
    };
    // A name that is no test and no segment with asserts is a mistake, not a pass.
    let mut known: Vec<&str> = program.tests.iter().map(|t| t.name.as_str()).collect();
    known.extend(
        program
            .asserts
            .iter()
            .map(|a| program.segments[a.segment].name.as_str()),
    );
    for n in args.select.iter().flat_map(|s| s.split(',')).map(str::trim) {
        if !known.contains(&n) {
            let hint = match segql_syntax::parser::did_you_mean(n, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "--select names tests, or segments that have asserts".to_string(),
            };
            return Err(output::Usage(format!(
                "no test and no asserts called `{n}` in this project\n  hint: {hint}"
            ))
            .into());
        }
    }
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
    let mut lines = Vec::new();
    for t in program.tests.iter().filter(|t| wanted(&t.name)) {
        let started = Instant::now();
        let outcome = match &target {
            Some((tb, _)) => run_test_on(tb, program, t, &base),
            None => run_test(program, t, &base),
        };
        let elapsed = started.elapsed();
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
            lines.push(format!(
                "ok    test {} ({n} expectation{})",
                t.name,
                if n == 1 { "" } else { "s" }
            ));
            TestCaseStatus::success()
        } else {
            failed += 1;
            lines.push(format!(
                "FAIL  test {} ({loc})\n{}",
                t.name,
                detail.trim_end()
            ));
            let mut s = TestCaseStatus::non_success(if outcome.error.is_some() {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            });
            s.set_message(format!("test {} failed", t.name));
            s.set_description(detail.clone());
            s
        };
        let mut case = TestCase::new(t.name.clone(), status);
        case.set_time(elapsed);
        case.set_classname(loc);
        suite_tests.add_test_case(case);
    }
    let asserts: Vec<_> = program
        .asserts
        .iter()
        .filter(|a| wanted(&program.segments[a.segment].name))
        .collect();
    if !asserts.is_empty() {
        let bound: Result<Box<dyn segql_run::Backend + '_>, _> = match &target {
            Some((tb, _)) => {
                let diags = crate::target_cmd::fits(tb, program)?;
                if diags.is_empty() {
                    Ok(Box::new(tb))
                } else {
                    Err(diags)
                }
            }
            None => {
                data::bind(&ws, program, &[])?.map(|e| Box::new(e) as Box<dyn segql_run::Backend>)
            }
        };
        let program = target.as_ref().map(|(_, p)| p).unwrap_or(program);
        match bound {
            Err(diags) => {
                output::print_diagnostics(&ws.map, &diags, color);
                for a in &asserts {
                    failed += 1;
                    let name = format!("assert {}", program.segments[a.segment].name);
                    lines.push(format!(
                        "FAIL  {name}: the data could not be bound (see above)"
                    ));
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message("the project's data could not be bound");
                    suite_asserts.add_test_case(TestCase::new(name, s));
                }
            }
            Ok(engine) => {
                let opts = Options {
                    as_of: args.as_of.instant()?,
                };
                for a in asserts {
                    let started = Instant::now();
                    let outcome = run_assert(engine.as_ref(), program, a, opts);
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
                        lines.push(format!(
                            "ok    {name} ({n} check{})",
                            if n == 1 { "" } else { "s" }
                        ));
                        TestCaseStatus::success()
                    } else {
                        failed += 1;
                        lines.push(format!(
                            "FAIL  {name} ({})\n{}",
                            ws.map.location(a.span),
                            detail.trim_end()
                        ));
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(format!("{name} failed"));
                        s.set_description(detail.clone());
                        s
                    };
                    let mut case = TestCase::new(name, status);
                    case.set_classname(ws.map.location(a.span));
                    case.set_time(started.elapsed());
                    suite_asserts.add_test_case(case);
                }
            }
        }
    }
    for l in &lines {
        println!("{l}");
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
