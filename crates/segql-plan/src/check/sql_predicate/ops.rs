//! The typing of a predicate's operators, `CASE`, `CAST`, `EXTRACT` and functions: the
//! second half of [`Conv`]'s walk (the first, in `mod.rs`, handles names, literals and
//! what an expression is).

use super::*;

impl Conv<'_> {
    /// `NOT x`, `-x` (a negative number is a literal of its own) and `+x`.
    pub(super) fn unary(&mut self, e: &Expr, op: &UnaryOperator, expr: &Expr) -> Option<Typed> {
        let (x, t) = self.expr(expr)?;
        match op {
            UnaryOperator::Not => {
                self.need(t, Type::Bool, expr, "`NOT`")?;
                Some((SqlExpr::Not(Box::new(x)), Some(Type::Bool)))
            }
            UnaryOperator::Minus => {
                self.need_number(t, expr, "`-`")?;
                // A negative number is a literal of its own.
                let x = match x {
                    SqlExpr::Lit(Lit::Int(i)) if i > 0 => SqlExpr::Lit(Lit::Int(-i)),
                    SqlExpr::Lit(Lit::Decimal(d)) if !d.starts_with('-') => {
                        SqlExpr::Lit(Lit::Decimal(format!("-{d}")))
                    }
                    x => SqlExpr::Neg(Box::new(x)),
                };
                Some((x, t))
            }
            UnaryOperator::Plus => {
                self.need_number(t, expr, "`+`")?;
                Some((x, t))
            }
            other => self.refuse(
                e,
                &format!("the operator `{other}`"),
                "operators: = <> < <= > >= AND OR NOT + - * % ||",
            ),
        }
    }

    pub(super) fn between(
        &mut self,
        expr: &Expr,
        low: &Expr,
        high: &Expr,
        negated: bool,
    ) -> Option<Typed> {
        let x = self.expr(expr);
        let l = self.expr(low);
        let h = self.expr(high);
        let ((x, tx), (l, tl), (h, th)) = (x?, l?, h?);
        for (t, at) in [(tl, low), (th, high)] {
            if !comparable(tx, t) {
                return self.mismatch(at, tx, t);
            }
        }
        Some((
            SqlExpr::Between {
                expr: Box::new(x),
                low: Box::new(l),
                high: Box::new(h),
                negated,
            },
            Some(Type::Bool),
        ))
    }

    pub(super) fn in_list(&mut self, expr: &Expr, list: &[Expr], negated: bool) -> Option<Typed> {
        let (x, tx) = self.expr(expr)?;
        let mut out = Vec::new();
        for item in list {
            let (v, t) = self.expr(item)?;
            if !comparable(tx, t) {
                return self.mismatch(item, tx, t);
            }
            out.push(v);
        }
        Some((
            SqlExpr::InList {
                expr: Box::new(x),
                list: out,
                negated,
            },
            Some(Type::Bool),
        ))
    }

    /// `x [NOT] LIKE 'pattern'`: a plain single-quoted pattern without backslashes.
    pub(super) fn like(
        &mut self,
        e: &Expr,
        expr: &Expr,
        pattern: &Expr,
        negated: bool,
        extended: bool,
    ) -> Option<Typed> {
        if extended {
            return self.refuse(
                e,
                "`LIKE ANY` or `ESCAPE`",
                "write `x LIKE 'pattern'` with a plain pattern, or use `contains` / `starts with` outside the string",
            );
        }
        let (x, t) = self.expr(expr)?;
        self.need(t, Type::String, expr, "`LIKE`")?;
        let pat = match pattern {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) if !s.contains('\\') => s.clone(),
                _ => {
                    return self.refuse(
                        pattern,
                        "this `LIKE` pattern",
                        "a LIKE pattern is one single-quoted string without backslashes (engines read backslashes in patterns differently); for a literal % or _, use `contains` outside the string",
                    )
                }
            },
            _ => {
                return self.refuse(
                    pattern,
                    "a computed `LIKE` pattern",
                    "a LIKE pattern is one single-quoted string",
                )
            }
        };
        Some((
            SqlExpr::Like {
                expr: Box::new(x),
                pattern: pat,
                negated,
            },
            Some(Type::Bool),
        ))
    }

    /// `CAST(x AS type)` and `x::type`, to a catalog type.
    pub(super) fn cast(
        &mut self,
        e: &Expr,
        kind: &CastKind,
        expr: &Expr,
        data_type: &sqlparser::ast::DataType,
        formatted: bool,
    ) -> Option<Typed> {
        if !matches!(kind, CastKind::Cast | CastKind::DoubleColon) || formatted {
            return self.refuse(e, "this kind of cast", "write CAST(x AS type) or x::type");
        }
        let name = data_type.to_string();
        let Some(ty) = sql_type(&name) else {
            return self.refuse(
                e,
                &format!("a cast to `{name}`"),
                "cast to string, int, decimal, float, bool, date or timestamp",
            );
        };
        let (x, _) = self.expr(expr)?;
        Some((
            SqlExpr::Cast {
                expr: Box::new(x),
                ty,
            },
            Some(ty),
        ))
    }

    /// `EXTRACT(YEAR|MONTH|DAY FROM x)` of a date or timestamp.
    pub(super) fn extract(
        &mut self,
        e: &Expr,
        field: &DateTimeField,
        expr: &Expr,
    ) -> Option<Typed> {
        let part = match field {
            DateTimeField::Year => DatePart::Year,
            DateTimeField::Month => DatePart::Month,
            DateTimeField::Day => DatePart::Day,
            other => {
                return self.refuse(
                    e,
                    &format!("`EXTRACT({other} ...)`"),
                    "EXTRACT takes YEAR, MONTH or DAY",
                )
            }
        };
        let (x, t) = self.expr(expr)?;
        if let Some(t) = t {
            if !timeish(t) {
                self.problem(
                    codes::NOT_TIME,
                    Some(expr.span()),
                    format!(
                        "EXTRACT needs a date or timestamp, not {}",
                        type_name(Some(t))
                    ),
                    "not a date or timestamp",
                    "extract YEAR, MONTH or DAY from a date or timestamp column",
                );
                return None;
            }
        }
        Some((
            SqlExpr::Extract {
                part,
                expr: Box::new(x),
            },
            Some(Type::Int),
        ))
    }

    pub(super) fn binary(
        &mut self,
        e: &Expr,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
    ) -> Option<Typed> {
        let sop = match op {
            BinaryOperator::Eq => SqlOp::Cmp(CmpOp::Eq),
            BinaryOperator::NotEq => SqlOp::Cmp(CmpOp::Ne),
            BinaryOperator::Lt => SqlOp::Cmp(CmpOp::Lt),
            BinaryOperator::LtEq => SqlOp::Cmp(CmpOp::Le),
            BinaryOperator::Gt => SqlOp::Cmp(CmpOp::Gt),
            BinaryOperator::GtEq => SqlOp::Cmp(CmpOp::Ge),
            BinaryOperator::And => SqlOp::And,
            BinaryOperator::Or => SqlOp::Or,
            BinaryOperator::Plus => SqlOp::Plus,
            BinaryOperator::Minus => SqlOp::Minus,
            BinaryOperator::Multiply => SqlOp::Times,
            BinaryOperator::Modulo => SqlOp::Mod,
            BinaryOperator::StringConcat => SqlOp::Concat,
            BinaryOperator::Divide => {
                return self.refuse(
                    e,
                    "division",
                    "engines divide integers differently (7 / 2 is 3 on Postgres, 3.5 on DuckDB): multiply the other side instead (a > b * 2)",
                )
            }
            other => {
                return self.refuse(
                    e,
                    &format!("the operator `{other}`"),
                    "operators: = <> < <= > >= AND OR NOT + - * % ||",
                )
            }
        };
        let l = self.expr(left);
        let r = self.expr(right);
        let ((l, tl), (r, tr)) = (l?, r?);
        let ty = match sop {
            SqlOp::Cmp(op) => {
                if tl.is_none() || tr.is_none() {
                    let word = if op == CmpOp::Ne {
                        "IS NOT NULL"
                    } else {
                        "IS NULL"
                    };
                    return self.refuse(
                        e,
                        "a comparison with NULL",
                        &format!("a comparison with NULL is never true; write x {word}"),
                    );
                }
                if !comparable(tl, tr) {
                    return self.mismatch(right, tl, tr);
                }
                if matches!(tl, Some(Type::Bool)) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    self.problem(
                        codes::NOT_ORDERABLE,
                        Some(e.span()),
                        "true and false have no order".to_string(),
                        "booleans compared with an order",
                        "compare booleans with = or <>",
                    );
                    return None;
                }
                Some(Type::Bool)
            }
            SqlOp::And | SqlOp::Or => {
                self.need(tl, Type::Bool, left, "`AND`/`OR`")?;
                self.need(tr, Type::Bool, right, "`AND`/`OR`")?;
                Some(Type::Bool)
            }
            SqlOp::Plus | SqlOp::Minus | SqlOp::Times => {
                self.need_number(tl, left, &format!("`{op}`"))?;
                self.need_number(tr, right, &format!("`{op}`"))?;
                wider(tl, tr)
            }
            SqlOp::Mod => {
                self.need(tl, Type::Int, left, "`%`")?;
                self.need(tr, Type::Int, right, "`%`")?;
                Some(Type::Int)
            }
            SqlOp::Concat => {
                self.need(tl, Type::String, left, "`||`")?;
                self.need(tr, Type::String, right, "`||`")?;
                Some(Type::String)
            }
        };
        Some((SqlExpr::Binary(Box::new(l), sop, Box::new(r)), ty))
    }

    pub(super) fn case(
        &mut self,
        operand: Option<&Expr>,
        conditions: &[sqlparser::ast::CaseWhen],
        otherwise: Option<&Expr>,
    ) -> Option<Typed> {
        let op = match operand {
            Some(o) => Some(self.expr(o)?),
            None => None,
        };
        let mut whens = Vec::new();
        let mut ty: Option<Type> = None;
        let mut results: Vec<(&Expr, Option<Type>)> = Vec::new();
        for w in conditions {
            let (c, tc) = self.expr(&w.condition)?;
            match &op {
                Some((_, to)) => {
                    if !comparable(*to, tc) {
                        return self.mismatch(&w.condition, *to, tc);
                    }
                }
                None => self.need(tc, Type::Bool, &w.condition, "`WHEN`")?,
            }
            let (r, tr) = self.expr(&w.result)?;
            results.push((&w.result, tr));
            let c = match &op {
                Some((o, _)) => {
                    SqlExpr::Binary(Box::new(o.clone()), SqlOp::Cmp(CmpOp::Eq), Box::new(c))
                }
                None => c,
            };
            whens.push((c, r));
        }
        let otherwise = match otherwise {
            Some(x) => {
                let (v, t) = self.expr(x)?;
                results.push((x, t));
                Some(Box::new(v))
            }
            None => None,
        };
        for (at, t) in results {
            if !comparable(ty, t) {
                return self.mismatch(at, ty, t);
            }
            ty = match (ty, t) {
                (Some(a), Some(b)) if numeric(a) && numeric(b) => wider(Some(a), Some(b)),
                (None, t) => t,
                (t, _) => t,
            };
        }
        Some((
            SqlExpr::Case {
                operand: None,
                whens,
                otherwise,
            },
            ty,
        ))
    }

    pub(super) fn function(&mut self, e: &Expr, f: &sqlparser::ast::Function) -> Option<Typed> {
        let plain_name = match f.name.0.as_slice() {
            [ObjectNamePart::Identifier(id)] if id.quote_style.is_none() => Some(id.value.clone()),
            _ => None,
        };
        let Some(name) = plain_name else {
            return self.refuse(
                e,
                &format!("the function name `{}`", f.name),
                "call a function by its plain name: lower(x)",
            );
        };
        let Some(sf) = SqlFn::by_name(&name) else {
            let hint = did_you_mean(
                &name.to_ascii_lowercase(),
                SqlFn::ALL.iter().map(|f| f.name()),
            )
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| {
                let names: Vec<&str> = SqlFn::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "the functions a sql predicate may call: {}",
                    names.join(", ")
                )
            });
            self.problem(
                codes::SQL_REFUSED,
                Some(f.name.span()),
                format!("`{name}` is not a function segql writes in every dialect"),
                "an unknown function",
                &hint,
            );
            return None;
        };
        let simple = f.over.is_none()
            && f.filter.is_none()
            && f.within_group.is_empty()
            && f.null_treatment.is_none()
            && !f.uses_odbc_syntax
            && matches!(f.parameters, FunctionArguments::None);
        let args: Option<Vec<Expr>> = match &f.args {
            FunctionArguments::List(l)
                if simple && l.duplicate_treatment.is_none() && l.clauses.is_empty() =>
            {
                l.args
                    .iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => Some(x.clone()),
                        _ => None,
                    })
                    .collect()
            }
            _ => None,
        };
        let Some(args) = args else {
            return self.refuse(
                e,
                &format!("this call of `{name}`"),
                "call it with plain arguments: lower(x); no DISTINCT, FILTER, OVER or named arguments",
            );
        };
        self.call(e, sf, &args)
    }

    pub(super) fn call(&mut self, e: &Expr, f: SqlFn, args: &[Expr]) -> Option<Typed> {
        let (lo, hi) = match f {
            SqlFn::Coalesce => (2, 16),
            SqlFn::Nullif | SqlFn::Mod => (2, 2),
            _ => (1, 1),
        };
        if args.len() < lo || args.len() > hi {
            let want = if lo == hi {
                format!("{lo}")
            } else {
                format!("{lo} to {hi}")
            };
            self.problem(
                codes::SQL_REFUSED,
                Some(e.span()),
                format!("`{}` takes {want} arguments, not {}", f.name(), args.len()),
                "wrong number of arguments",
                &format!("write {}", example_call(f)),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut types = Vec::new();
        for a in args {
            let (x, t) = self.expr(a)?;
            out.push(x);
            types.push(t);
        }
        let what = format!("`{}`", f.name());
        let ty = match f {
            SqlFn::Lower | SqlFn::Upper | SqlFn::Trim => {
                self.need(types[0], Type::String, &args[0], &what)?;
                Some(Type::String)
            }
            SqlFn::Length => {
                self.need(types[0], Type::String, &args[0], &what)?;
                Some(Type::Int)
            }
            SqlFn::Abs | SqlFn::Floor | SqlFn::Ceil => {
                self.need_number(types[0], &args[0], &what)?;
                types[0]
            }
            SqlFn::Mod => {
                self.need(types[0], Type::Int, &args[0], &what)?;
                self.need(types[1], Type::Int, &args[1], &what)?;
                Some(Type::Int)
            }
            SqlFn::Coalesce | SqlFn::Nullif => {
                let mut ty = None;
                for (t, a) in types.iter().zip(args) {
                    if !comparable(ty, *t) {
                        return self.mismatch(a, ty, *t);
                    }
                    if ty.is_none() {
                        ty = *t;
                    } else if f == SqlFn::Coalesce && numeric(ty.unwrap_or(Type::Int)) {
                        ty = wider(ty, *t);
                    }
                }
                ty
            }
        };
        Some((SqlExpr::Func { f, args: out }, ty))
    }

    /// Requires a value of type `want` (NULL fits).
    pub(super) fn need(
        &mut self,
        t: Option<Type>,
        want: Type,
        at: &Expr,
        what: &str,
    ) -> Option<()> {
        match t {
            Some(t) if t != want => {
                let code = match want {
                    Type::String => codes::NOT_STRING,
                    Type::Int | Type::Decimal | Type::Float => codes::NOT_NUMERIC,
                    _ => codes::TYPE_MISMATCH,
                };
                self.problem(
                    code,
                    Some(at.span()),
                    format!(
                        "{what} needs {}, not {}",
                        super::super::article(want),
                        type_name(Some(t))
                    ),
                    &format!("{} here", type_name(Some(t))),
                    &format!("give {what} {}", super::super::article(want)),
                );
                None
            }
            _ => Some(()),
        }
    }

    pub(super) fn need_number(&mut self, t: Option<Type>, at: &Expr, what: &str) -> Option<()> {
        match t {
            Some(t) if !numeric(t) => {
                self.problem(
                    codes::NOT_NUMERIC,
                    Some(at.span()),
                    format!("{what} needs a number, not {}", type_name(Some(t))),
                    &format!("{} here", type_name(Some(t))),
                    "arithmetic works on int, decimal and float values",
                );
                None
            }
            _ => Some(()),
        }
    }

    pub(super) fn mismatch(
        &mut self,
        at: &Expr,
        a: Option<Type>,
        b: Option<Type>,
    ) -> Option<Typed> {
        self.problem(
            codes::TYPE_MISMATCH,
            Some(at.span()),
            format!("{} compared with {}", type_name(b), type_name(a)),
            &format!("{} here", type_name(b)),
            "compare values of the same kind: strings with strings, numbers with numbers, dates and timestamps with each other",
        );
        None
    }
}

fn example_call(f: SqlFn) -> &'static str {
    match f {
        SqlFn::Coalesce => "coalesce(x, y)",
        SqlFn::Nullif => "nullif(x, y)",
        SqlFn::Mod => "mod(x, 2)",
        SqlFn::Lower => "lower(x)",
        SqlFn::Upper => "upper(x)",
        SqlFn::Length => "length(x)",
        SqlFn::Trim => "trim(x)",
        SqlFn::Abs => "abs(x)",
        SqlFn::Floor => "floor(x)",
        SqlFn::Ceil => "ceil(x)",
    }
}
