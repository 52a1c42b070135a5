//! Members as a multiset of keys.
//!
//! A segment's members are the keys of its entity table for which the condition holds,
//! each once (docs/semantics.md). Comparing them as sets would let through a statement
//! that returns a key twice (a lost GROUP BY, a join that fans out) or a NULL key (a
//! dropped key column): the set of distinct non-null keys can still be right. So every
//! suite compares [`Keys`], a sorted list that keeps every copy and every NULL, and
//! [`compare`] first checks that the result's keys are distinct and set.

use std::collections::BTreeMap;
use std::fmt;

/// The keys a statement returned, as a multiset: sorted, every copy kept, a NULL key as
/// `None` (first).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Keys(Vec<Option<String>>);

impl Keys {
    /// The keys of a result's rows, NULL keys included.
    pub fn new(keys: impl IntoIterator<Item = Option<String>>) -> Keys {
        let mut v: Vec<Option<String>> = keys.into_iter().collect();
        v.sort();
        Keys(v)
    }

    /// Keys that are all set (an expectation, the oracle's members).
    pub fn of<S: Into<String>>(keys: impl IntoIterator<Item = S>) -> Keys {
        Keys::new(keys.into_iter().map(|k| Some(k.into())))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Option<String>> {
        self.0.iter()
    }

    /// What makes these keys no segment's members: keys that appear more than once (with
    /// how often) and NULL keys, as a sentence; `None` when every key is set and appears
    /// once.
    pub fn defects(&self) -> Option<String> {
        let mut counts: BTreeMap<&Option<String>, usize> = BTreeMap::new();
        for k in &self.0 {
            *counts.entry(k).or_default() += 1;
        }
        let mut out = Vec::new();
        if let Some(n) = counts.get(&None) {
            out.push(format!("{n} NULL key{}", if *n == 1 { "" } else { "s" }));
        }
        let repeated: Vec<String> = counts
            .iter()
            .filter_map(|(k, n)| match k {
                Some(k) if *n > 1 => Some(format!("{k:?} {n} times")),
                _ => None,
            })
            .collect();
        if !repeated.is_empty() {
            out.push(format!("repeated keys: {}", repeated.join(", ")));
        }
        (!out.is_empty()).then(|| out.join("; "))
    }

    /// The keys of `self` that `other` lacks, counting copies (a multiset difference).
    pub fn minus(&self, other: &Keys) -> Keys {
        let mut left: BTreeMap<&Option<String>, usize> = BTreeMap::new();
        for k in &other.0 {
            *left.entry(k).or_default() += 1;
        }
        Keys(
            self.0
                .iter()
                .filter(|k| match left.get_mut(k) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                })
                .cloned()
                .collect(),
        )
    }
}

impl fmt::Debug for Keys {
    /// `["u1", "u2", NULL]`: each key quoted, NULL bare.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, k) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match k {
                Some(k) => write!(f, "{k:?}")?,
                None => f.write_str("NULL")?,
            }
        }
        f.write_str("]")
    }
}

/// Whether `actual` are exactly the `expected` members: first, the result's keys must be
/// distinct and set (and so must the expectation's), then equal as multisets. The error
/// says which rule broke and which keys differ.
pub fn compare(expected: &Keys, actual: &Keys) -> Result<(), String> {
    if let Some(d) = expected.defects() {
        return Err(format!(
            "the expectation {expected:?} is no list of members: {d}"
        ));
    }
    if let Some(d) = actual.defects() {
        return Err(format!(
            "the result {actual:?} is no list of members (keys must be distinct and set): {d}"
        ));
    }
    if expected == actual {
        return Ok(());
    }
    Err(format!(
        "missing {:?}, unexpected {:?} (expected {expected:?}, got {actual:?})",
        expected.minus(actual),
        actual.minus(expected)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(k: &str) -> Option<String> {
        Some(k.to_string())
    }

    #[test]
    fn a_repeated_or_null_key_is_no_list_of_members() {
        let expected = Keys::of(["u1", "u2"]);
        assert_eq!(
            compare(&expected, &Keys::new([some("u2"), some("u1")])),
            Ok(())
        );
        // The same set of distinct keys, but u1 twice: a set comparison would pass.
        let twice = Keys::new([some("u1"), some("u2"), some("u1")]);
        let e = compare(&expected, &twice).unwrap_err();
        assert!(e.contains("repeated keys: \"u1\" 2 times"), "{e}");
        // A NULL key beside the right ones: dropping NULLs would pass.
        let null = Keys::new([some("u1"), None, some("u2")]);
        let e = compare(&expected, &null).unwrap_err();
        assert!(e.contains("1 NULL key"), "{e}");
        assert!(e.contains("[NULL, \"u1\", \"u2\"]"), "{e}");
        // A hand-written expectation that lists a key twice is caught too.
        let e = compare(&Keys::of(["u1", "u1"]), &Keys::of(["u1"])).unwrap_err();
        assert!(e.starts_with("the expectation"), "{e}");
    }

    #[test]
    fn differences_name_the_keys() {
        let e = compare(&Keys::of(["u1", "u2"]), &Keys::of(["u2", "u3"])).unwrap_err();
        assert!(
            e.starts_with("missing [\"u1\"], unexpected [\"u3\"]"),
            "{e}"
        );
        assert_eq!(
            Keys::new([some("a"), some("a"), None]).minus(&Keys::of(["a"])),
            Keys::new([some("a"), None])
        );
    }
}
