//! File names for item pages.
//!
//! A name may hold any character (`` `weird name` ``), and two names may differ only in
//! case, which some file systems do not tell apart. A slug keeps lower-case ASCII
//! letters, digits and `_`, and writes every other character as `-` and its code point in
//! hex followed by `.` (`Paying` is `-50.aying`), so different names always get different
//! slugs. A slug longer than 96 bytes is cut and ends with a hash of the whole name.

/// The file name (without extension) of a name's page.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else {
            out.push_str(&format!("-{:x}.", c as u32));
        }
    }
    if out.is_empty() {
        out.push('-');
    }
    if out.len() > 96 {
        let mut cut = 80;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str(&format!("~{:016x}", fnv1a(name.as_bytes())));
    }
    out
}

/// FNV-1a, 64 bits: stable across Rust versions (std's hasher is not promised to be).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn plain_names_are_kept() {
        assert_eq!(slug("trial_idle"), "trial_idle");
        assert_eq!(slug("a1"), "a1");
    }

    #[test]
    fn other_characters_are_encoded_so_that_case_and_punctuation_differ() {
        assert_eq!(slug("Paying"), "-50.aying");
        assert_ne!(slug("Paying"), slug("paying"));
        assert_eq!(slug("a b"), "a-20.b");
        assert_eq!(slug("../x"), "-2e.-2e.-2f.x");
        assert_eq!(slug(""), "-");
        // `-` itself is encoded, so an encoded sequence cannot be confused with text.
        assert_ne!(slug("-50.aying"), slug("Paying"));
    }

    #[test]
    fn long_names_are_cut_with_a_hash() {
        let a = "x".repeat(300);
        let b = format!("{}y", "x".repeat(299));
        assert!(slug(&a).len() <= 100, "{}", slug(&a).len());
        assert_ne!(slug(&a), slug(&b));
        let wide = "é".repeat(200);
        assert!(slug(&wide).len() <= 100);
    }
}
