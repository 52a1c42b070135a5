//! Writing `manifest.json` and `run_results.json` under the target directory
//! (`--target-path`, default `target/` in the project, as dbt's). What they hold is
//! segql-project's ([`segql_project::artifacts`], [`segql_project::manifest`]).

use crate::output::Coded;
use crate::project::Workspace;
use anyhow::Result;
use segql_plan::compile::Options;
use segql_plan::deps::Graph;
use segql_plan::dialect::Dialect;
use segql_plan::ir::Program;
use segql_project::artifacts::{
    write_json, RunResult, RunResults, Status, MANIFEST_FILE, RUN_RESULTS_FILE,
};
use segql_project::codes::ARTIFACT_WRITE;
use segql_project::manifest;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where artifacts go: `--target-path`, else `target/` in the project; nowhere for
/// loose files outside a project without `--target-path`.
pub fn dir(ws: &Workspace, arg: Option<&Path>) -> Option<PathBuf> {
    arg.map(Path::to_path_buf)
        .or_else(|| ws.inputs.root.as_ref().map(|r| r.join("target")))
}

/// Refuses (E0704) to write `name` into `dir` when a source reads it, and writes it.
fn write<T: serde::Serialize>(
    ws: &Workspace,
    program: &Program,
    dir: &Path,
    name: &str,
    value: &T,
    color: bool,
) -> Result<()> {
    let sources = crate::data::sources(&ws.inputs, Some(program));
    crate::data::check_write(
        &ws.map,
        &ws.inputs,
        Some(program),
        &sources,
        &dir.join(name),
        &format!("the {name} to"),
        color,
    )?;
    write_json(dir, name, value).map_err(|message| {
        anyhow::Error::new(Coded {
            code: ARTIFACT_WRITE,
            message,
        })
    })?;
    Ok(())
}

/// Writes `manifest.json`: every node, its SQL in `dialects`.
#[allow(clippy::too_many_arguments)]
pub fn write_manifest(
    ws: &Workspace,
    program: &Program,
    graph: &Graph,
    dialects: &[&dyn Dialect],
    opts: Options,
    command: &str,
    dir: &Path,
    color: bool,
) -> Result<()> {
    let m = manifest::build(ws, program, graph, dialects, opts, command);
    write(ws, program, dir, MANIFEST_FILE, &m, color)
}

/// `run_results.json`, collected as a command goes.
pub struct Results {
    command: &'static str,
    as_of: i64,
    results: Vec<RunResult>,
}

impl Results {
    pub fn new(command: &'static str, as_of: i64) -> Results {
        Results {
            command,
            as_of,
            results: Vec::new(),
        }
    }

    pub fn add(
        &mut self,
        unique_id: String,
        status: Status,
        elapsed: Duration,
        size: Option<u64>,
        population: Option<u64>,
        message: Option<String>,
    ) {
        self.results.push(RunResult {
            unique_id,
            status,
            elapsed_seconds: elapsed.as_secs_f64(),
            size,
            population,
            message,
        });
    }

    pub fn write(
        self,
        ws: &Workspace,
        program: &Program,
        dir: &Path,
        elapsed: Duration,
        color: bool,
    ) -> Result<()> {
        let doc = RunResults {
            metadata: manifest::metadata(ws, self.command, self.as_of),
            elapsed_seconds: elapsed.as_secs_f64(),
            results: self.results,
        };
        write(ws, program, dir, RUN_RESULTS_FILE, &doc, color)
    }
}
