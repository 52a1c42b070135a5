//! Errors of a target: a code (E08xx), the target's name, what segql was doing, the
//! driver's message with every secret taken out, and a hint.

use crate::codes;
use std::fmt;

/// A failure on a target. Its text never holds a secret: every message coming from a
/// driver goes through [`Secrets::redact`] before it is stored here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError {
    pub code: &'static str,
    /// The target's name as configured (`pg`), or empty before one is known.
    pub target: String,
    pub message: String,
    pub hint: Option<String>,
}

impl TargetError {
    pub fn new(code: &'static str, target: &str, message: impl Into<String>) -> TargetError {
        TargetError {
            code,
            target: target.to_string(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> TargetError {
        self.hint = Some(hint.into());
        self
    }

    /// Whether a statement failed because it was cancelled.
    pub fn is_interrupted(&self) -> bool {
        self.code == codes::INTERRUPTED
    }
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.target.is_empty() {
            write!(f, "[{}] {}", self.code, self.message)?;
        } else {
            write!(
                f,
                "[{}] target `{}`: {}",
                self.code, self.target, self.message
            )?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TargetError {}

pub type Result<T> = std::result::Result<T, TargetError>;

/// The secret values of a target (passwords, tokens), resolved from the environment.
/// Every text that may quote one (a driver's message) is redacted before it is shown.
#[derive(Clone, Default)]
pub struct Secrets(Vec<String>);

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} hidden)", self.0.len())
    }
}

impl Secrets {
    pub fn add(&mut self, value: &str) {
        if !value.is_empty() && !self.0.iter().any(|v| v == value) {
            self.0.push(value.to_string());
            let encoded = percent_encode(value);
            if encoded != value {
                self.0.push(encoded);
            }
            // Longest first, so that a secret holding another is hidden whole.
            self.0.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// `text` with every secret (as given, and percent-encoded as in a URI) replaced by
    /// `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.0 {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }
}

/// A value as it may sit in a URI: every byte but unreserved ones percent-encoded.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a failed connection means, by the driver's status and words: refused,
/// unreachable, a timeout (E0803), or credentials refused (E0804).
#[cfg(feature = "client")]
pub fn classify_connect(status: adbc_core::error::Status, message: &str) -> &'static str {
    use adbc_core::error::Status;
    let m = message.to_ascii_lowercase();
    let auth = matches!(status, Status::Unauthenticated | Status::Unauthorized)
        || m.contains("password authentication failed")
        || m.contains("authentication failed")
        || m.contains("incorrect username or password")
        || m.contains("invalid credentials")
        || m.contains("unauthenticated")
        || m.contains("permission denied for database")
        || m.contains("no pg_hba.conf entry");
    if auth {
        codes::AUTH
    } else {
        codes::CONNECT
    }
}

/// A hint for a connection that failed, by its code and the driver's words.
pub fn connect_hint(code: &str, message: &str) -> String {
    let m = message.to_ascii_lowercase();
    if code == codes::AUTH {
        "check the user in the target's uri and the environment variable its password or token names".to_string()
    } else if m.contains("refused") {
        "is the server running, and listening on that host and port?".to_string()
    } else if m.contains("timeout") || m.contains("timed out") || m.contains("deadline") {
        "the server did not answer in time: check the host, the port and the network".to_string()
    } else if m.contains("resolve")
        || m.contains("name or service not known")
        || m.contains("no such host")
    {
        "the host name cannot be resolved: check the host in the target's uri".to_string()
    } else {
        "check the target's uri, and that the server is reachable from here".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_as_given_and_encoded() {
        let mut s = Secrets::default();
        s.add("p@ss word");
        s.add("p@ss");
        let text = "uri postgresql://u:p%40ss%20word@h/db failed for p@ss word and p@ss";
        let r = s.redact(text);
        assert!(!r.contains("p@ss"), "{r}");
        assert!(!r.contains("p%40ss"), "{r}");
        assert_eq!(r, "uri postgresql://u:***@h/db failed for *** and ***");
        // Each as given and percent-encoded.
        assert_eq!(format!("{s:?}"), "Secrets(4 hidden)");
    }

    #[test]
    #[cfg(feature = "client")]
    fn connection_failures_are_told_apart() {
        use adbc_core::error::Status;
        assert_eq!(
            classify_connect(
                Status::IO,
                "FATAL:  password authentication failed for user \"x\""
            ),
            codes::AUTH
        );
        assert_eq!(
            classify_connect(Status::IO, "Connection refused"),
            codes::CONNECT
        );
        assert_eq!(
            classify_connect(Status::Unauthenticated, "rpc error"),
            codes::AUTH
        );
        assert!(connect_hint(codes::CONNECT, "Connection refused").contains("running"));
    }

    #[test]
    fn errors_name_the_target_and_code() {
        let e = TargetError::new(codes::CONNECT, "pg", "cannot connect").with_hint("start it");
        assert_eq!(
            e.to_string(),
            "[E0803] target `pg`: cannot connect\n  hint: start it"
        );
    }
}
