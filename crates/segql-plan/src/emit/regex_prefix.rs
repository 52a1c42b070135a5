//! The literal prefixes a regular expression anchored at the start requires, for a cheap
//! pre-test: `email matches "^(qa|test)[0-9]*@"` is written
//! `(starts_with(email, 'qa') OR starts_with(email, 'test')) AND regexp_matches(...)`, so
//! the regular expression runs only on the few values with one of the prefixes. What a
//! data engineer writes by hand (bench/handwritten/b48_regex_qa.sql): 1.59x faster on
//! DuckDB at 1M users (docs/benchmarks.md).

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::Look;

/// At most this many prefixes: beyond, the `OR` of prefix tests costs about what the
/// regular expression does.
const MAX_PREFIXES: usize = 8;

/// The prefixes one of which every value the pattern matches starts with, when the
/// pattern is anchored at the start of the text in every branch and each prefix is
/// non-empty text; `None` when there is no such finite set worth testing.
///
/// A prefix may be shorter than what the pattern requires (the extractor stops at a
/// class or a repetition): the pre-test is necessary, never sufficient, and the
/// regular expression still decides.
pub(super) fn required_prefixes(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    // `^` (not multi-line) is `Look::Start`: every match begins at the text's start,
    // so the text begins with what every match begins with.
    if !hir.properties().look_set_prefix().contains(Look::Start) {
        return None;
    }
    let mut extractor = Extractor::new();
    // A class ends the prefix rather than multiply it (`[0-9]` would make ten).
    extractor.kind(ExtractKind::Prefix).limit_class(1);
    let seq = extractor.extract(&hir);
    // Infinite (any text may start a match) or empty (nothing matches): no pre-test.
    let literals = seq.literals()?;
    if literals.is_empty() || literals.len() > MAX_PREFIXES {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for lit in literals {
        // A prefix cut inside a character is not text the engines can compare.
        let text = std::str::from_utf8(lit.as_bytes()).ok()?;
        if text.is_empty() {
            return None;
        }
        if !out.iter().any(|p| p == text) {
            out.push(text.to_string());
        }
    }
    // A prefix of another makes the other redundant: `^(a|ab)` needs only `a`.
    let all = out.clone();
    out.retain(|p| !all.iter().any(|q| q != p && p.starts_with(q.as_str())));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::required_prefixes;

    /// Sorted, to compare as sets.
    fn prefixes(p: &str) -> Option<Vec<String>> {
        required_prefixes(p).map(|mut v| {
            v.sort();
            v
        })
    }

    #[test]
    fn an_anchored_alternation_of_literals_gives_each_literal() {
        assert_eq!(
            prefixes("^(qa|test)[0-9]*@"),
            Some(vec!["qa".to_string(), "test".to_string()])
        );
        assert_eq!(prefixes("^a\\.b@"), Some(vec!["a.b@".to_string()]));
        assert_eq!(prefixes("^\\$[0-9]+ \\("), Some(vec!["$".to_string()]));
        assert_eq!(prefixes("^a.b@"), Some(vec!["a".to_string()]));
        assert_eq!(
            prefixes("^(a|ab)c"),
            Some(vec!["abc".to_string(), "ac".to_string()])
        );
        assert_eq!(prefixes("^(ab|a)"), Some(vec!["a".to_string()]));
        assert_eq!(prefixes("^é+x"), Some(vec!["é".to_string()]));
    }

    #[test]
    fn a_pattern_not_anchored_in_every_branch_gives_none() {
        assert_eq!(prefixes("qa[0-9]+@"), None);
        assert_eq!(prefixes("^qa|test"), None);
        // Multi-line: `^` also matches after a newline, inside the text.
        assert_eq!(prefixes("(?m)^qa"), None);
        assert_eq!(prefixes("\\bqa"), None);
    }

    #[test]
    fn a_pattern_without_a_literal_start_gives_none() {
        assert_eq!(prefixes("^.$"), None);
        assert_eq!(prefixes("^[a-z]+@"), None);
        assert_eq!(
            prefixes("^(qa)?x"),
            Some(vec!["qax".to_string(), "x".to_string()])
        );
        assert_eq!(
            prefixes("^(|x)y"),
            Some(vec!["xy".to_string(), "y".to_string()])
        );
        assert_eq!(prefixes("^$"), None);
        assert_eq!(prefixes("^(qa"), None);
    }

    #[test]
    fn a_class_ends_the_prefix_and_too_many_give_none() {
        assert_eq!(prefixes("(?i)^qa"), None);
        assert_eq!(prefixes("^q(?i)a"), Some(vec!["q".to_string()]));
        // Single letters in an alternation are a class.
        assert_eq!(prefixes("^(a|b)x"), None);
        assert_eq!(
            prefixes("^(aa|bb|cc|dd|ee|ff|gg|hh)x"),
            Some(
                ["aax", "bbx", "ccx", "ddx", "eex", "ffx", "ggx", "hhx"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(prefixes("^(aa|bb|cc|dd|ee|ff|gg|hh|ii)x"), None);
    }
}
