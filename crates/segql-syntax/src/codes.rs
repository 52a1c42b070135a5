//! Every diagnostic code segql-syntax emits, in one place.
//!
//! E00xx: reading characters (lexer). E01xx: structure (parser). Codes are stable: a
//! code is never reused for a different mistake. segql-plan owns E02xx and up.

macro_rules! codes {
    ($($name:ident = $code:literal : $title:literal,)*) => {
        $(pub const $name: &str = $code;)*
        /// `(code, one-line title)` of every code, in order.
        pub const ALL: &[(&str, &str)] = &[$(($code, $title)),*];
    };
}

codes! {
    NOT_UTF8 = "E0001": "the file is not valid UTF-8",
    UNEXPECTED_CHAR = "E0002": "a character that cannot start a token",
    UNTERMINATED_STRING = "E0003": "a string or quoted name without its closing quote",
    UNKNOWN_ESCAPE = "E0004": "an unknown backslash escape",
    BAD_UNICODE_ESCAPE = "E0005": "a malformed \\u{...} escape",
    EMPTY_QUOTED_NAME = "E0006": "an empty quoted name",
    BAD_DATE = "E0007": "a malformed date or timestamp",
    BAD_NUMBER = "E0008": "a malformed number",
    DOUBLE_EQUALS = "E0009": "`==` written for `=`",
    TOO_MANY_ERRORS = "E0010": "too many errors in one file",
    WRONG_QUOTES = "E0011": "a string in single or typographic quotes",
    UNEXPECTED_TOKEN = "E0100": "a token where something else was expected",
    UNKNOWN_ITEM = "E0101": "an unknown word at the top level of a file",
    UNKNOWN_FIELD = "E0102": "an unknown field inside a block",
    UNCLOSED_BLOCK = "E0103": "a block without its closing `}`",
    UNCLOSED_PAREN = "E0104": "a `(` without its closing `)`",
    MIXED_AND_OR = "E0105": "`and` and `or` mixed without parentheses",
    TOO_DEEP = "E0106": "nesting deeper than the limit",
    RESERVED_WORD = "E0107": "a reserved word used as a name",
    DUPLICATE_FIELD = "E0108": "a field given twice in one block",
    MISSING_FIELD = "E0109": "a required field missing from a block",
    UNKNOWN_TYPE = "E0110": "an unknown column type",
    UNKNOWN_UNIT = "E0111": "an unknown time unit",
    INT_TOO_LARGE = "E0112": "an integer outside the 64-bit range",
    DECIMAL_TOO_LONG = "E0113": "a decimal with more than 38 digits",
    INVALID_DATE = "E0114": "a date or time that does not exist",
    AGO_MISSING = "E0115": "a duration where a point in time was expected",
    EXPECTED_CONDITION = "E0116": "something that is not a condition where one was expected",
    EXPECTED_VALUE = "E0117": "something that is not a value where one was expected",
    EXPECTED_LITERAL = "E0118": "something that is not a literal where one was expected",
    TABLE_SHAPE = "E0119": "a test table row whose cells do not match its header",
    EMPTY_LIST = "E0120": "an empty list where one item at least is needed",
    NULL_OUTSIDE_TABLE = "E0121": "`null` outside a test table",
    TRAILING_INPUT = "E0122": "text after a complete item on the same line",
    NUL_IN_NAME = "E0123": "a quoted name holding a NUL character",
    CONFIG_INVALID = "E0150": "a malformed segql.toml",
}
