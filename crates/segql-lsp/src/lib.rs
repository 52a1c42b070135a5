//! segql-lsp: the language server behind `segql lsp`.
//!
//! Speaks the Language Server Protocol over stdin/stdout (JSON-RPC, `Content-Length`
//! framing) through rust-analyzer's `lsp-server` (a synchronous message loop) and
//! `lsp-types`. It gives editors what `segql check` finds as the user types (the same
//! codes, messages, hints and spans), hover, go to definition, find references,
//! completion, formatting (segql-syntax's formatter) and renaming a segment or an action
//! across files.
//!
//! It reads projects the way the CLI does (segql-project) and analyses them with
//! segql-syntax and segql-plan. It never runs SQL: it does not depend on segql-run or
//! DuckDB.

pub mod completion;
pub mod convert;
pub mod hover;
pub mod index;
pub mod lines;
pub mod nav;
pub mod server;
mod transport;
pub mod workspace;

use std::io::{BufRead, Write};

/// Serves on stdin and stdout until the client exits. Returns an error when the
/// connection breaks, the client's messages are not the protocol, or the client exits
/// without asking the server to shut down first.
pub fn serve_stdio() -> anyhow::Result<()> {
    serve(std::io::BufReader::new(std::io::stdin()), std::io::stdout())
}

/// Serves on any pair of streams (the tests use in-memory pipes).
pub fn serve<R, W>(reader: R, writer: W) -> anyhow::Result<()>
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    transport::serve(reader, writer, server::run)
}
