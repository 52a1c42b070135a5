//! The formatter: one canonical layout for every file.
//!
//! Guarantees (tested on every fixture and by a property test): the output parses to the
//! same tree as the input (spans aside), formatting is idempotent, and every comment is
//! kept. Comments are placed back by position: a comment that followed code on its line
//! stays at the end of the line it followed; others go on their own line before the code
//! that came after them.

use crate::ast::*;
use crate::lexer::{escape, is_plain_ident};
use crate::parser::RESERVED;
use crate::time::{format_date, format_timestamp};

mod text;
use text::freq_text;
pub use text::{cond_text, periods_text, pred_text, step_text, value_text, window_text};

/// The widest `names [...]` line kept on one line.
const NAMES_WIDTH: usize = 90;

/// Conditions longer than this are broken at `and` / `or`.
pub const WIDTH: usize = 100;

/// Formats a parsed file.
pub fn format_file(file: &File) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
        comments: &file.comments,
        next_comment: 0,
        pending_blank: false,
    };
    for (i, item) in file.items.iter().enumerate() {
        if i > 0 {
            p.pending_blank = true;
        }
        p.newline_at(item.span.start);
        p.item(item);
    }
    p.flush_all();
    let mut out = p.out;
    let trimmed = out.trim_end_matches([' ', '\n']).len();
    out.truncate(trimmed);
    let start = out.len() - out.trim_start_matches('\n').len();
    out.drain(..start);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// A name as written in source: bare when it can be, in backticks otherwise.
pub fn ident_text(name: &str) -> String {
    if is_plain_ident(name) && !RESERVED.contains(&name) {
        name.to_string()
    } else {
        escape(name, '`')
    }
}

/// A column's name: as [`ident_text`], but `references` and `as` in backticks too, since
/// after the previous column they would read as its reference clause.
fn column_name_text(name: &str) -> String {
    if matches!(name, "references" | "as") {
        escape(name, '`')
    } else {
        ident_text(name)
    }
}

pub fn path_text(p: &Path) -> String {
    p.parts
        .iter()
        .map(|i| ident_text(&i.name))
        .collect::<Vec<_>>()
        .join(".")
}

pub fn literal_text(l: &LitKind) -> String {
    match l {
        LitKind::Str(s) => escape(s, '"'),
        LitKind::Int(v) => v.to_string(),
        LitKind::Decimal(d) => d.clone(),
        LitKind::Bool(b) => b.to_string(),
        LitKind::Date(d) => format_date(*d),
        LitKind::Timestamp(t) => timestamp_text(*t),
        LitKind::Null => "null".to_string(),
    }
}

/// A timestamp in UTC (`…Z`), unless it falls outside years 1 to 9999 there, as
/// `0001-01-01T00:00:00+23:59` does (year 0 in UTC): such an instant is written with the
/// largest offset, `+23:59` or `-23:59`, which brings every instant the parser can read
/// back into years 1 to 9999.
pub fn timestamp_text(micros: i64) -> String {
    // Always UTC: the parser refuses instants outside the years 1 to 9999 in UTC, so
    // every timestamp it reads has a UTC form that parses back.
    format_timestamp(micros)
}

pub fn duration_text(d: &Duration) -> String {
    format!("{} {}", d.n, d.unit.word_for(d.n))
}

struct Printer<'a> {
    out: String,
    indent: usize,
    comments: &'a [Comment],
    next_comment: usize,
    pending_blank: bool,
}

impl<'a> Printer<'a> {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn col(&self) -> usize {
        let line_start = self.out.rfind('\n').map(|i| i + 1).unwrap_or(0);
        self.out[line_start..].chars().count()
    }

    fn last_line_opens_block(&self) -> bool {
        let t = self.out.trim_end();
        t.is_empty() || t.ends_with('{')
    }

    fn pad(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    fn blank_line(&mut self) {
        if !self.last_line_opens_block() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// Ends the current line and starts a new one for code that began at source offset
    /// `pos`, first putting back the comments that came before it.
    fn newline_at(&mut self, pos: u32) {
        let mut first = true;
        let mut blank_after = false;
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.span.start >= pos {
                break;
            }
            self.next_comment += 1;
            let text = format!("#{}", c.text);
            if first && c.trailing && !self.out.is_empty() && !self.out.ends_with('\n') {
                self.w("  ");
                self.w(&text);
                first = false;
                blank_after = c.blank_after;
                continue;
            }
            first = false;
            self.out.push('\n');
            if c.blank_before || self.pending_blank || blank_after {
                self.blank_line();
            }
            self.pending_blank = false;
            self.pad();
            self.w(&text);
            blank_after = c.blank_after;
        }
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        if self.pending_blank || blank_after {
            self.blank_line();
        }
        self.pending_blank = false;
        self.pad();
    }

    fn flush_all(&mut self) {
        if self.next_comment < self.comments.len() {
            self.newline_at(u32::MAX);
        }
    }

    fn has_comment_within(&self, span: crate::span::Span) -> bool {
        self.has_comment_between(span.start, span.end)
    }

    /// Whether a comment not yet written starts strictly between `start` and `end`.
    fn has_comment_between(&self, start: u32, end: u32) -> bool {
        self.comments[self.next_comment..]
            .iter()
            .take_while(|c| c.span.start < end)
            .any(|c| c.span.start > start)
    }

    /// `}` closing a block whose content ended before `pos`.
    fn close(&mut self, pos: u32) {
        self.indent -= 1;
        self.newline_at(pos);
        self.w("}");
    }

    // -----------------------------------------------------------------------------------
    // Items
    // -----------------------------------------------------------------------------------

    fn item(&mut self, item: &Item) {
        let end = item.span.end.saturating_sub(1);
        match &item.kind {
            ItemKind::Entity(e) => {
                self.w(&format!("entity {} {{", ident_text(&e.name.name)));
                self.indent += 1;
                if let Some(d) = &e.description {
                    self.field(d.span.start, "description", &escape(&d.value, '"'));
                }
                self.field(e.table.span.start, "table", &path_text(&e.table));
                self.field(e.key.span.start, "key", &ident_text(&e.key.name));
                self.columns("columns", &e.columns, e.columns_span);
                for x in &e.extras {
                    self.newline_at(x.span.start);
                    self.w(&format!("extra {} {{", ident_text(&x.name.name)));
                    self.indent += 1;
                    self.field(x.table.span.start, "table", &path_text(&x.table));
                    if let Some(k) = &x.key {
                        self.field(k.span.start, "key", &ident_text(&k.name));
                    }
                    self.columns("columns", &x.columns, x.columns_span);
                    self.close(x.span.end.saturating_sub(1));
                }
                self.close(end);
            }
            ItemKind::Events(e) => {
                match &e.name {
                    Some(n) => self.w(&format!(
                        "events {} of {} {{",
                        ident_text(&n.name),
                        ident_text(&e.entity.name)
                    )),
                    None => self.w(&format!("events of {} {{", ident_text(&e.entity.name))),
                }
                self.indent += 1;
                if let Some(d) = &e.description {
                    self.field(d.span.start, "description", &escape(&d.value, '"'));
                }
                self.field(e.table.span.start, "table", &path_text(&e.table));
                self.field(e.key.span.start, "key", &ident_text(&e.key.name));
                match &e.event {
                    EventSource::Column(c) => {
                        self.field(c.span.start, "name", &ident_text(&c.name))
                    }
                    EventSource::Fixed(s) => {
                        self.field(s.span.start, "event", &escape(&s.value, '"'))
                    }
                }
                self.field(e.time.span.start, "time", &ident_text(&e.time.name));
                if let Some(names) = &e.names {
                    self.event_names(names);
                }
                self.columns("properties", &e.properties, e.properties_span);
                self.close(end);
            }
            ItemKind::Segment(s) => {
                self.w(&format!("segment {}", ident_text(&s.name.name)));
                if let Some(e) = &s.entity {
                    self.w(&format!(" of {}", ident_text(&e.name)));
                }
                self.w(" {");
                self.indent += 1;
                self.meta(&s.meta);
                // Comments between a keyword and what follows it stay after the keyword:
                // the next line break puts them back at the end of its line.
                if let Some(sb) = &s.score {
                    self.newline_at(s.score_span.start);
                    self.w("score ");
                    self.score_block(sb);
                }
                if let Some(c) = &s.condition {
                    self.newline_at(s.where_span.start);
                    self.w("where ");
                    self.cond_block(c);
                }
                self.close(end);
            }
            ItemKind::Trait(t) => {
                self.w(&format!("trait {}", ident_text(&t.name.name)));
                if let Some(e) = &t.entity {
                    self.w(&format!(" of {}", ident_text(&e.name)));
                }
                self.w(" = ");
                match &t.value.kind {
                    ValueKind::Score(sb) => {
                        self.w("score ");
                        self.score_block(sb);
                    }
                    _ => {
                        let v = value_text(&t.value);
                        self.w(&v);
                    }
                }
            }
            ItemKind::Action(a) => {
                self.w(&format!("action {}", ident_text(&a.name.name)));
                if let Some(e) = &a.entity {
                    self.w(&format!(" of {}", ident_text(&e.name)));
                }
                let texts: Vec<String> = a.alternatives.iter().map(step_text).collect();
                let one_line = format!(" = {}", texts.join(" or "));
                let fits = self.col() + one_line.chars().count() <= WIDTH;
                // A comment before the last event needs the lines broken to stay where
                // it is; one inside the last event ends the line either way.
                let last = a
                    .alternatives
                    .last()
                    .map_or(item.span.end, |s| s.span.start);
                if fits && !self.has_comment_between(item.span.start, last) {
                    self.w(&one_line);
                } else {
                    // One event per line, each after `or`.
                    self.w(" =");
                    self.indent += 1;
                    for (i, (alt, text)) in a.alternatives.iter().zip(&texts).enumerate() {
                        self.newline_at(alt.span.start);
                        if i > 0 {
                            self.w("or ");
                        }
                        self.w(text);
                    }
                    self.indent -= 1;
                }
            }
            ItemKind::Report(r) => {
                self.w(&format!("report {} {{", ident_text(&r.name.name)));
                self.indent += 1;
                self.meta(&r.meta);
                self.segments_field(&r.segments, r.segments_span);
                for m in &r.metrics {
                    self.newline_at(m.span.start);
                    self.w(&format!("metric {} = ", ident_text(&m.name.name)));
                    match &m.expr {
                        MetricExpr::Count(None) => self.w("count"),
                        MetricExpr::Count(Some(c)) => {
                            self.w("count where ");
                            self.cond_block(c);
                        }
                        MetricExpr::Share(c) => {
                            self.w("share where ");
                            self.cond_block(c);
                        }
                        MetricExpr::Agg(f, v) => {
                            let t = format!("{}({})", f.keyword(), value_text(v));
                            self.w(&t);
                        }
                    }
                }
                self.close(end);
            }
            ItemKind::Split(s) => {
                self.w(&format!(
                    "split {} of {} {{",
                    ident_text(&s.name.name),
                    ident_text(&s.segment.name)
                ));
                self.indent += 1;
                self.meta(&s.meta);
                self.field(s.salt.span.start, "salt", &escape(&s.salt.value, '"'));
                for g in &s.groups {
                    self.newline_at(g.span.start);
                    let t = format!(
                        "group {} {}%",
                        ident_text(&g.name.name),
                        literal_text(&g.percent.kind)
                    );
                    self.w(&t);
                }
                self.close(end);
            }
            ItemKind::Priority(pr) => {
                self.w(&format!("priority {} {{", ident_text(&pr.name.name)));
                self.indent += 1;
                self.meta(&pr.meta);
                self.segments_field(&pr.segments, pr.segments_span);
                self.close(end);
            }
            ItemKind::Test(t) => {
                self.w(&format!("test {} {{", ident_text(&t.name.name)));
                self.indent += 1;
                if let Some(d) = &t.description {
                    self.field(d.span.start, "description", &escape(&d.value, '"'));
                }
                self.field(t.as_of.span.start, "as_of", &literal_text(&t.as_of.kind));
                if let Some(since) = &t.since {
                    self.field(since.span.start, "since", &literal_text(&since.kind));
                }
                for g in &t.givens {
                    self.newline_at(g.span.start);
                    self.w(&format!("given {}", ident_text(&g.relation.name)));
                    match &g.source {
                        GivenSource::File(f) => {
                            let t = format!(" from {}", escape(&f.value, '"'));
                            self.w(&t);
                        }
                        GivenSource::Rows(table) => self.table(table),
                    }
                }
                for e in &t.expects {
                    self.newline_at(e.span.start);
                    let members: Vec<String> =
                        e.members.iter().map(|m| literal_text(&m.kind)).collect();
                    let change = e.change.map(|c| format!(" {}", c.keyword()));
                    let line = format!(
                        "expect {}{} = [{}]",
                        path_text(&e.target),
                        change.unwrap_or_default(),
                        members.join(", ")
                    );
                    self.w(&line);
                }
                self.close(end);
            }
            ItemKind::Assert(a) => {
                self.w(&format!("assert {} {{", ident_text(&a.target.name)));
                self.indent += 1;
                for c in &a.checks {
                    self.newline_at(c.span.start);
                    let t = match &c.kind {
                        CheckKind::Size(p) => format!("size {}", pred_text(p)),
                        CheckKind::SizeChange { limit, percent } => format!(
                            "size change within {}{}",
                            literal_text(&limit.kind),
                            if *percent { "%" } else { "" }
                        ),
                        CheckKind::DisjointWith(s) => {
                            format!("disjoint with {}", ident_text(&s.name))
                        }
                        CheckKind::SubsetOf(s) => format!("subset of {}", ident_text(&s.name)),
                    };
                    self.w(&t);
                }
                self.close(end);
            }
        }
    }

    fn field(&mut self, pos: u32, name: &str, value: &str) {
        // The field keyword precedes its value; comments before the keyword belong above.
        self.newline_at(pos.saturating_sub(name.len() as u32 + 1));
        self.w(name);
        self.w(" ");
        self.w(value);
    }

    /// `segments [..]`, placed by the field's span (`span`: its keyword to `]`), so the
    /// comments before and after an empty list stay where they were.
    fn segments_field(&mut self, segments: &[Ident], span: crate::span::Span) {
        self.newline_at(span.start);
        self.w("segments ");
        self.w(&name_list(segments));
    }

    fn meta(&mut self, m: &Meta) {
        if let Some(d) = &m.description {
            self.field(d.span.start, "description", &escape(&d.value, '"'));
        }
        if let Some(o) = &m.owner {
            self.field(o.span.start, "owner", &escape(&o.value, '"'));
        }
        if !m.tags.is_empty() {
            let tags: Vec<String> = m.tags.iter().map(|t| escape(&t.value, '"')).collect();
            self.field(
                m.tags[0].span.start,
                "tags",
                &format!("[{}]", tags.join(", ")),
            );
        }
    }

    /// `names [...]` of an events relation: on one line when it fits in
    /// [`NAMES_WIDTH`] columns, else one name per line.
    fn event_names(&mut self, list: &NameList) {
        let texts: Vec<String> = list.names.iter().map(|n| escape(&n.value, '"')).collect();
        let one_line = format!("[{}]", texts.join(", "));
        let width = self.indent * 2 + "names ".len() + one_line.chars().count();
        if width <= NAMES_WIDTH || list.names.is_empty() {
            self.field(list.span.start, "names", &one_line);
            return;
        }
        self.field(list.span.start, "names", "[");
        self.indent += 1;
        for (n, text) in list.names.iter().zip(&texts) {
            self.newline_at(n.span.start);
            self.w(text);
            self.w(",");
        }
        self.indent -= 1;
        self.newline_at(list.span.end.saturating_sub(1));
        self.w("]");
    }

    fn columns(&mut self, keyword: &str, cols: &[Column], span: crate::span::Span) {
        if cols.is_empty() {
            return;
        }
        self.newline_at(span.start);
        self.w(keyword);
        self.w(" {");
        self.indent += 1;
        let width = cols
            .iter()
            .map(|c| column_name_text(&c.name.name).chars().count())
            .max()
            .unwrap_or(0);
        for c in cols {
            self.newline_at(c.span.start);
            let name = column_name_text(&c.name.name);
            let pad = width - name.chars().count();
            let mut line = format!("{name}{} {}", " ".repeat(pad), c.ty.ty.keyword());
            if let Some(r) = &c.references {
                line.push_str(&format!(" references {}", ident_text(&r.entity.name)));
                if let Some(a) = &r.alias {
                    line.push_str(&format!(" as {}", ident_text(&a.name)));
                }
            }
            self.w(&line);
        }
        self.close(span.end.saturating_sub(1));
    }

    fn score_block(&mut self, sb: &ScoreBlock) {
        self.w("{");
        self.indent += 1;
        for r in &sb.rules {
            self.newline_at(r.span.start);
            self.w(&literal_text(&r.weight.kind));
            self.w(" if ");
            self.cond_block(&r.cond);
        }
        self.close(sb.span.end.saturating_sub(1));
    }

    fn table(&mut self, t: &Table) {
        let header: Vec<String> = t.columns.iter().map(|c| ident_text(&c.name)).collect();
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| r.iter().map(|l| literal_text(&l.kind)).collect())
            .collect();
        let n = header.len();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::from("|");
            for (i, c) in cells.iter().enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                s.push(' ');
                s.push_str(c);
                s.push_str(&" ".repeat(w.saturating_sub(c.chars().count())));
                s.push_str(" |");
            }
            s
        };
        self.w(" {");
        self.indent += 1;
        let hpos = t
            .columns
            .first()
            .map(|c| c.span.start)
            .unwrap_or(t.span.start);
        self.newline_at(hpos);
        self.w(&line(&header));
        for (r, cells) in t.rows.iter().zip(&rows) {
            let pos = r.first().map(|c| c.span.start).unwrap_or(hpos);
            self.newline_at(pos);
            self.w(&line(cells));
        }
        self.close(t.span.end.saturating_sub(1));
    }

    // -----------------------------------------------------------------------------------
    // Conditions
    // -----------------------------------------------------------------------------------

    /// A condition after a prefix on the current line; broken at `and`/`or` when too
    /// long or when comments sit inside it. Continuation lines are indented one level.
    fn cond_block(&mut self, c: &Cond) {
        self.indent += 1;
        self.cond(c);
        self.indent -= 1;
    }

    fn cond(&mut self, c: &Cond) {
        let flat = cond_text(c);
        // Comments force a break only when they will land between the parts, or inside
        // a last operand in parentheses (which keeps them inside its own broken
        // parentheses). Any other comment in the last operand or step is written after
        // the whole condition, so it would not force the break the next time round.
        let commented = match &c.kind {
            CondKind::And(ops) | CondKind::Or(ops) => ops.last().is_some_and(|last| {
                self.has_comment_between(c.span.start, last.span.start)
                    || (matches!(last.kind, CondKind::And(_) | CondKind::Or(_))
                        && self.has_comment_within(last.span))
            }),
            CondKind::Did(d) => d
                .then
                .last()
                .is_some_and(|t| self.has_comment_between(c.span.start, t.step.span.start)),
            _ => false,
        };
        if !commented && self.col() + flat.chars().count() <= WIDTH {
            self.w(&flat);
            return;
        }
        match &c.kind {
            CondKind::And(ops) | CondKind::Or(ops) => {
                let kw = if matches!(c.kind, CondKind::And(_)) {
                    "and"
                } else {
                    "or"
                };
                for (i, op) in ops.iter().enumerate() {
                    if i > 0 {
                        self.newline_at(op.span.start);
                        self.w(kw);
                        self.w(" ");
                    }
                    self.operand(op);
                }
            }
            CondKind::Did(d) if !d.then.is_empty() => {
                // A long sequence: one step per line.
                self.w(&format!("did {}", step_text(&d.first)));
                for t in &d.then {
                    self.newline_at(t.step.span.start);
                    let mut line = format!("then {}", step_text(&t.step));
                    if let Some(w) = &t.within {
                        line.push_str(&format!(" within {}", duration_text(w)));
                    }
                    self.w(&line);
                }
                if let Some(f) = &d.freq {
                    self.w(&format!(" {}", freq_text(f)));
                }
                if let Some(w) = &d.window {
                    self.w(&format!(" {}", window_text(w)));
                }
            }
            _ => self.w(&flat),
        }
    }

    /// An operand of `and`/`or`: nested connectives get parentheses.
    fn operand(&mut self, c: &Cond) {
        if !matches!(c.kind, CondKind::And(_) | CondKind::Or(_)) {
            self.cond(c);
            return;
        }
        let flat = cond_text(c);
        if !self.has_comment_within(c.span) && self.col() + flat.chars().count() + 2 <= WIDTH {
            self.w("(");
            self.w(&flat);
            self.w(")");
            return;
        }
        self.w("(");
        self.indent += 1;
        // Comments after the `(` (before the first operand) stay on the `(` line.
        let inner_start = match &c.kind {
            CondKind::And(ops) | CondKind::Or(ops) => ops.first().map(|o| o.span.start),
            _ => None,
        };
        self.newline_at(inner_start.unwrap_or(c.span.start));
        self.cond(c);
        self.indent -= 1;
        self.newline_at(c.span.end.saturating_sub(1));
        self.w(")");
    }
}

fn name_list(names: &[Ident]) -> String {
    let v: Vec<String> = names.iter().map(|n| ident_text(&n.name)).collect();
    format!("[{}]", v.join(", "))
}
