//! A reference evaluator for the randomized suites: what each random condition means,
//! computed directly from the events in Rust, following docs/semantics.md rule by rule.
//!
//! It shares nothing with the compiler (no IR, no SQL, no engine): the only code it
//! borrows is the calendar conversion of `segql_syntax::time` (days since 1970 to and
//! from year, month, day). So a member that every engine agrees on but the oracle does
//! not is a bug in what segql compiles (or in this module), which comparing engines with
//! each other can never show.
//!
//! The conditions as data are in `conditions`, their evaluation in `eval`.

mod conditions;
mod eval;
pub use conditions::{
    AccountCond, ActionSpec, Agg, AttrCond, Cmp, Cond, Filter, NtileOf, Quant, Sel, Span, Window,
    ACTIONS,
};
pub use eval::{account_members, add_months, expected, members};
