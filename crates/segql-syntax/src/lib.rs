//! segql-syntax: the segment language's text layer.
//!
//! Owns the lexer, the recursive-descent parser that turns `.seg` text into an AST whose
//! every node carries a span, the canonical formatter (`segql fmt`), and the diagnostic
//! types and their rendering (codes, spans, hints; drawn with ariadne). It knows nothing
//! of warehouses, catalogs or SQL: name resolution and type checking belong to
//! segql-plan, which consumes [`ast::File`]s. Nothing here performs I/O except what a
//! caller hands it as text.

pub mod ast;
pub mod codes;
pub mod diag;
pub mod fmt;
pub mod lexer;
pub mod parser;
pub mod span;
pub mod time;

pub use diag::{Diagnostic, RenderOptions, Severity, SourceFile, SourceMap};
pub use fmt::format_file;
pub use parser::{parse, parse_bytes, Parsed};
pub use span::{FileId, Span};
