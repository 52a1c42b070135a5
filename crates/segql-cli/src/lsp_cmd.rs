//! `segql lsp`: the language server on stdin and stdout, for editors. segql-lsp does
//! the work; see docs/editor.md.

use anyhow::Result;
use std::process::ExitCode;

pub fn run() -> Result<ExitCode> {
    segql_lsp::serve_stdio()?;
    Ok(ExitCode::SUCCESS)
}
