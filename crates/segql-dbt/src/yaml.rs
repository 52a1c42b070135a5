//! The little YAML that `schema.yml` and `sources.yml` need, written by hand: block
//! mappings and sequences whose scalars are all double-quoted. A JSON string is a valid
//! YAML double-quoted scalar (YAML's escapes are a superset of JSON's), so each scalar
//! is written with serde_json and no YAML crate is needed for output this regular.

/// `s` as a double-quoted YAML scalar.
pub(crate) fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// A description as dbt reads it: dbt renders descriptions as Jinja, so text holding
/// `{{`, `{%` or `{#` is wrapped in `{% raw %}` to be shown as written.
pub(crate) fn description(s: &str) -> String {
    if s.contains("{{") || s.contains("{%") || s.contains("{#") {
        quoted(&format!(
            "{{% raw %}}{}{{% endraw %}}",
            s.replace("{% endraw %}", "{% endraw %}{{ '{% endraw %}' }}{% raw %}")
        ))
    } else {
        quoted(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_json_strings() {
        assert_eq!(quoted("a \"b\"\n"), r#""a \"b\"\n""#);
        assert_eq!(description("plain"), "\"plain\"");
        assert_eq!(description("{{ x }}"), "\"{% raw %}{{ x }}{% endraw %}\"");
    }
}
