//! `ignoring case`: text tests on the folded value (docs/semantics.md, "Text").

use super::*;

impl<'a> Checker<'a> {
    /// `PRED ignoring case` on `value`: the predicate on `fold_case(value)`, with its
    /// strings folded too. Only tests of text take it, and only on strings.
    pub(super) fn pred_ignoring_case(
        &mut self,
        value: Scalar,
        ty: Type,
        v: &ast::Value,
        inner: &ast::Pred,
        span: Span,
    ) -> Option<Cond> {
        use ast::Pred as P;
        let text_test = matches!(
            inner,
            P::Cmp(CmpOp::Eq | CmpOp::Ne, _)
                | P::In(_)
                | P::NotIn(_)
                | P::Contains(_)
                | P::StartsWith(_)
                | P::EndsWith(_)
                | P::Matches(_)
        );
        if !text_test {
            let what = match inner {
                P::Cmp(op, _) => format!("`{}`", op.symbol()),
                P::Between(..) => "`between`".to_string(),
                P::IsSet | P::IsNotSet => "a test of presence".to_string(),
                P::InLast(_) => "`in last`".to_string(),
                _ => "this test".to_string(),
            };
            self.err(
                Diagnostic::error(
                    codes::WRONG_PLACE,
                    span,
                    format!("{what} cannot ignore case"),
                )
                .with_label("`ignoring case` has no meaning here")
                .with_hint("`ignoring case` follows =, !=, in [..], not in [..], contains, starts with, ends with and matches; `<`, `>` and `between` order strings by their bytes"),
            );
            return None;
        }
        if ty != Type::String {
            self.err(
                Diagnostic::error(
                    codes::NOT_STRING,
                    v.span,
                    format!(
                        "`{}` is {}, but `ignoring case` works on strings",
                        value_text(v),
                        article(ty)
                    ),
                )
                .with_label(article(ty))
                .with_hint(format!(
                    "remove `ignoring case`: {} has no letters to fold",
                    article(ty)
                )),
            );
            return None;
        }
        if let P::Matches(s) = inner {
            self.lowercase_pattern(s)?;
        }
        let folded = fold_pred(inner);
        self.pred(Scalar::Folded(Box::new(value)), ty, v, &folded, span)
    }

    /// A pattern matched against folded text must not need a capital letter.
    fn lowercase_pattern(&mut self, s: &ast::StrLit) -> Option<()> {
        let Ok(re) = regex_syntax::ast::parse::Parser::new().parse(&s.value) else {
            // `pred_matches` reports the mistake.
            return Some(());
        };
        let capitals = regex_syntax::ast::visit(&re, Capitals(Vec::new())).unwrap_or_default();
        let Some(at) = capitals.first() else {
            return Some(());
        };
        let span = inside_string(s, at.start.offset, at.end.offset).unwrap_or(s.span);
        let c = &s.value[at.start.offset..at.end.offset];
        // The pattern with those letters lowercased, and nothing else changed.
        let mut fixed = String::new();
        let mut from = 0;
        for a in &capitals {
            fixed.push_str(&s.value[from..a.start.offset]);
            fixed.push_str(&fold_case(&s.value[a.start.offset..a.end.offset]));
            from = a.end.offset;
        }
        fixed.push_str(&s.value[from..]);
        self.err(
            Diagnostic::error(
                codes::CASED_PATTERN,
                span,
                "a capital letter in a pattern matched ignoring case",
            )
            .with_label(format!("`{c}` never matches the lowercased text"))
            .with_hint(format!(
                "`matches .. ignoring case` lowercases the text, not the pattern: write its letters in lowercase, {}",
                segql_syntax::lexer::escape(&fixed, '"')
            )),
        );
        None
    }
}

/// The predicate with its strings folded.
fn fold_pred(p: &ast::Pred) -> ast::Pred {
    use ast::Pred as P;
    let lit = |l: &ast::Literal| match &l.kind {
        LitKind::Str(s) => ast::Literal {
            kind: LitKind::Str(fold_case(s)),
            span: l.span,
        },
        _ => l.clone(),
    };
    let s = |s: &ast::StrLit| ast::StrLit {
        value: fold_case(&s.value),
        span: s.span,
    };
    match p {
        P::Cmp(op, ast::Operand::Lit(l)) => P::Cmp(*op, ast::Operand::Lit(lit(l))),
        P::In(ls) => P::In(ls.iter().map(lit).collect()),
        P::NotIn(ls) => P::NotIn(ls.iter().map(lit).collect()),
        P::Contains(x) => P::Contains(s(x)),
        P::StartsWith(x) => P::StartsWith(s(x)),
        P::EndsWith(x) => P::EndsWith(s(x)),
        p => p.clone(),
    }
}

/// Finds the letters of a pattern that folding changes, in order: literals, and a
/// class's literals and range ends.
struct Capitals(Vec<regex_syntax::ast::Span>);

impl Capitals {
    fn see(&mut self, l: &regex_syntax::ast::Literal) {
        if fold_case(&l.c.to_string()) != l.c.to_string() {
            self.0.push(l.span);
        }
    }
}

impl regex_syntax::ast::Visitor for Capitals {
    type Output = Vec<regex_syntax::ast::Span>;
    type Err = ();

    fn finish(self) -> Result<Self::Output, ()> {
        Ok(self.0)
    }

    fn visit_pre(&mut self, ast: &regex_syntax::ast::Ast) -> Result<(), ()> {
        if let regex_syntax::ast::Ast::Literal(l) = ast {
            self.see(l);
        }
        Ok(())
    }

    fn visit_class_set_item_pre(
        &mut self,
        item: &regex_syntax::ast::ClassSetItem,
    ) -> Result<(), ()> {
        use regex_syntax::ast::ClassSetItem as I;
        match item {
            I::Literal(l) => self.see(l),
            I::Range(r) => {
                self.see(&r.start);
                self.see(&r.end);
            }
            _ => {}
        }
        Ok(())
    }
}
