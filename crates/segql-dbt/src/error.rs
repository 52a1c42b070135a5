//! The one error type of the crate: what went wrong, and what to do about it.

/// What kind of mistake an error is, for callers that branch on it (exit codes, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The manifest is not JSON.
    NotJson,
    /// JSON, but not a dbt manifest (no `metadata.dbt_schema_version`, or `nodes` and
    /// `sources` of the wrong shape).
    NotManifest,
    /// A selector that is not `source:NAME`, `source:NAME.TABLE`, `model:NAME`,
    /// `seed:NAME` or `snapshot:NAME`.
    BadSelector,
    /// A selector that matches no source or model, or a selection of nothing.
    NothingSelected,
    /// A segment's SQL cannot be written as a dbt model (the dialect cannot express it,
    /// or it depends on the as-of instant beyond the one literal).
    Compile,
    /// Writing the models directory failed.
    Io,
}

/// An error with a message and a hint, shown as `message\n  hint: hint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbtError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: String,
}

impl DbtError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: impl Into<String>) -> Self {
        DbtError {
            kind,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl std::fmt::Display for DbtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for DbtError {}
