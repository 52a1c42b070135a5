//! Every diagnostic code segql-plan emits, in one place.
//!
//! E02xx: names (unknown, duplicate, cyclic). E03xx: types. E04xx: meaning (a window
//! that matches nothing, percentages that do not add up). W05xx: warnings. E06xx: SQL
//! generation (something a dialect cannot express).

macro_rules! codes {
    ($($name:ident = $code:literal : $title:literal,)*) => {
        $(pub const $name: &str = $code;)*
        /// `(code, one-line title)` of every code, in order.
        pub const ALL: &[(&str, &str)] = &[$(($code, $title)),*];
    };
}

codes! {
    DUPLICATE_NAME = "E0201": "two declarations with the same name",
    UNKNOWN_ENTITY = "E0202": "a name that is not a declared entity",
    DUPLICATE_COLUMN = "E0203": "a column or property declared twice",
    UNKNOWN_NAME = "E0204": "a name that is not a column, trait or reference",
    NO_DEFAULT_ENTITY = "E0205": "a segment or trait whose entity cannot be inferred",
    CYCLE = "E0206": "segments, traits or actions that refer to themselves",
    UNKNOWN_EVENTS = "E0207": "a name that is not an events relation of the entity",
    AMBIGUOUS = "E0208": "a name that could mean more than one thing",
    UNKNOWN_SEGMENT = "E0209": "a name that is not a segment",
    UNKNOWN_RELATION = "E0210": "a name that is not a related entity",
    UNKNOWN_PROPERTY = "E0211": "a name that is not a property of the events",
    UNKNOWN_COLUMN = "E0212": "a name that is not a column of the relation",
    UNKNOWN_EVENT_NAME = "E0213": "an event name the events relation does not declare",
    UNKNOWN_ACTION = "E0214": "a name where an event goes that is not a declared action",
    TYPE_MISMATCH = "E0301": "a value compared with something of another type",
    ENTITY_MISMATCH = "E0302": "segments of different entities used together",
    NOT_NUMERIC = "E0303": "a numeric operation on a value that is not a number",
    NOT_TIME = "E0304": "a time operation on a value that is not a date or timestamp",
    NOT_STRING = "E0305": "a text operation on a value that is not a string",
    NOT_ORDERABLE = "E0306": "ordering by a value that has no order",
    WRONG_PLACE = "E0307": "a construct used where it has no meaning",
    EMPTY_WINDOW = "E0401": "a time window that can contain no event",
    BAD_COUNT = "E0402": "a count or bucket number out of range",
    BAD_RANGE = "E0403": "a range whose start is after its end",
    SEQUENCE_SHAPE = "E0404": "a sequence used with a count or across relations",
    BAD_REGEX = "E0405": "a regular expression that does not parse",
    BAD_SPLIT = "E0406": "split groups that do not add up to 100%",
    BAD_SQL = "E0407": "a sql predicate that does not parse or names unknown columns",
    BAD_TEST = "E0408": "a test whose rows or expectations do not fit the catalog",
    SQL_REFUSED = "E0409": "SQL in a sql predicate that segql does not write (a subquery, a table, a string not in single quotes, a function outside the list)",
    CASED_PATTERN = "E0410": "a capital letter in a pattern matched ignoring case",
    LAPSE_WINDOW = "E0411": "a window of stopped or restarted that leaves no time for the activity or the return",
    ACTION_SHAPE = "E0412": "an action whose events come from several relations, or used with `from`",
    UNUSED = "W0501": "a declaration nothing uses",
    ALWAYS = "W0502": "a condition that is always true or always false",
    UNSUPPORTED = "E0601": "something a dialect cannot express",
}
