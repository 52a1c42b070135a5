//! Emission of checked `sql "..."` predicates ([`SqlExpr`]): every node is written anew
//! for the dialect (strings by its escaper, columns by the planner, functions by
//! [`Dialect::sql_fn`]), with parentheses wherever precedence needs them. Nothing of the
//! predicate's original text is carried into the SQL.

use super::{Emitter, Scope};
use crate::ir::{DatePart, Lit, Scalar, SqlExpr, SqlFn, SqlOp, SqlPredicate};
use segql_syntax::ast::{CmpOp, Type};
use sqlparser::ast::{BinaryOperator, DateTimeField, Expr, ExtractSyntax, UnaryOperator};

fn op_precedence(op: SqlOp) -> u8 {
    match op {
        SqlOp::Or => 1,
        SqlOp::And => 2,
        SqlOp::Cmp(_) => 4,
        SqlOp::Concat => 5,
        SqlOp::Plus | SqlOp::Minus => 6,
        SqlOp::Times | SqlOp::Mod => 7,
    }
}

/// How tightly a node binds when printed (higher binds tighter).
fn precedence(e: &SqlExpr) -> u8 {
    match e {
        SqlExpr::Binary(_, op, _) => op_precedence(*op),
        SqlExpr::Not(_) => 3,
        SqlExpr::IsNull { .. }
        | SqlExpr::Between { .. }
        | SqlExpr::InList { .. }
        | SqlExpr::Like { .. } => 4,
        SqlExpr::Neg(_) => 8,
        _ => 9,
    }
}

/// The type of a checked node (`None` for NULL), by the checker's rules.
pub(crate) fn sql_ty(e: &SqlExpr) -> Option<Type> {
    match e {
        SqlExpr::Column(c) => Some(c.ty),
        SqlExpr::Lit(l) => Some(l.ty()),
        SqlExpr::Null => None,
        SqlExpr::Not(_)
        | SqlExpr::IsNull { .. }
        | SqlExpr::Between { .. }
        | SqlExpr::InList { .. }
        | SqlExpr::Like { .. } => Some(Type::Bool),
        SqlExpr::Neg(x) => sql_ty(x),
        SqlExpr::Binary(l, op, r) => match op {
            SqlOp::Cmp(_) | SqlOp::And | SqlOp::Or => Some(Type::Bool),
            SqlOp::Mod => Some(Type::Int),
            SqlOp::Concat => Some(Type::String),
            SqlOp::Plus | SqlOp::Minus | SqlOp::Times => match (sql_ty(l), sql_ty(r)) {
                (Some(Type::Float), _) | (_, Some(Type::Float)) => Some(Type::Float),
                (Some(Type::Decimal), _) | (_, Some(Type::Decimal)) => Some(Type::Decimal),
                (a, b) => a.or(b),
            },
        },
        SqlExpr::Case {
            whens, otherwise, ..
        } => whens
            .iter()
            .map(|(_, r)| r)
            .chain(otherwise.iter().map(|b| &**b))
            .find_map(sql_ty),
        SqlExpr::Cast { ty, .. } => Some(*ty),
        SqlExpr::Extract { .. } => Some(Type::Int),
        SqlExpr::Func { f, args } => match f {
            SqlFn::Lower | SqlFn::Upper | SqlFn::Trim => Some(Type::String),
            SqlFn::Length | SqlFn::Mod => Some(Type::Int),
            SqlFn::Abs | SqlFn::Floor | SqlFn::Ceil => args.first().and_then(sql_ty),
            SqlFn::Coalesce | SqlFn::Nullif => args.iter().find_map(sql_ty),
        },
    }
}

impl Emitter<'_> {
    /// A `sql "..."` predicate, parenthesized.
    pub(crate) fn sql_predicate(&mut self, pred: &SqlPredicate, scope: Scope<'_>) -> Expr {
        Expr::Nested(Box::new(self.sql_expr(&pred.expr, scope)))
    }

    /// `child` printed under a parent of precedence `parent`: parenthesized when it binds
    /// looser, or as tightly on a side where the parse would regroup it.
    fn sql_child(&mut self, child: &SqlExpr, parent: u8, right: bool, scope: Scope<'_>) -> Expr {
        let e = self.sql_expr(child, scope);
        let p = precedence(child);
        if p < parent || (p == parent && right) {
            Expr::Nested(Box::new(e))
        } else {
            e
        }
    }

    fn sql_expr(&mut self, e: &SqlExpr, scope: Scope<'_>) -> Expr {
        let sql = self.sql;
        let prec = precedence(e);
        match e {
            SqlExpr::Column(c) => self.scalar(&Scalar::Column(c.clone()), scope).0,
            SqlExpr::Lit(l) => self.lit(l),
            SqlExpr::Null => crate::sql::raw("NULL".to_string()),
            SqlExpr::Not(x) => {
                let x = self.sql_expr(x, scope);
                Expr::UnaryOp {
                    op: UnaryOperator::Not,
                    expr: Box::new(Expr::Nested(Box::new(x))),
                }
            }
            SqlExpr::Neg(x) => {
                // `-(-x)`, never `--x` (a comment): only a column or a function call
                // goes without parentheses.
                let atom = matches!(**x, SqlExpr::Column(_) | SqlExpr::Func { .. });
                let x = self.sql_expr(x, scope);
                Expr::UnaryOp {
                    op: UnaryOperator::Minus,
                    expr: Box::new(if atom { x } else { Expr::Nested(Box::new(x)) }),
                }
            }
            SqlExpr::Binary(l, op, r) => self.sql_binary(l, *op, r, scope),
            SqlExpr::IsNull { expr, negated } => {
                let x = self.sql_child(expr, prec, true, scope);
                if *negated {
                    Expr::IsNotNull(Box::new(x))
                } else {
                    Expr::IsNull(Box::new(x))
                }
            }
            SqlExpr::Between {
                expr,
                low,
                high,
                negated,
            } => self.sql_between(expr, low, high, *negated, scope),
            SqlExpr::InList {
                expr,
                list,
                negated,
            } => {
                let float = sql_ty(expr) == Some(Type::Float);
                let x = self.sql_child(expr, prec, true, scope);
                let list = list
                    .iter()
                    .map(|item| match item {
                        // A float in a list of decimals compares as floats (ClickHouse's
                        // IN refuses a Decimal list for a Float64 value).
                        SqlExpr::Lit(Lit::Decimal(t)) if float => sql.decimal(t),
                        other => self.sql_expr(other, scope),
                    })
                    .collect();
                Expr::InList {
                    expr: Box::new(x),
                    list,
                    negated: *negated,
                }
            }
            SqlExpr::Like {
                expr,
                pattern,
                negated,
            } => {
                let x = self.sql_child(expr, prec, true, scope);
                let pattern = self.string_lit(pattern);
                Expr::Like {
                    negated: *negated,
                    any: false,
                    expr: Box::new(x),
                    pattern: Box::new(pattern),
                    escape_char: None,
                }
            }
            SqlExpr::Case {
                operand: _,
                whens,
                otherwise,
            } => {
                let whens = whens
                    .iter()
                    .map(|(c, r)| (self.sql_expr(c, scope), self.sql_expr(r, scope)))
                    .collect();
                let otherwise = otherwise.as_ref().map(|o| self.sql_expr(o, scope));
                sql.case(whens, otherwise)
            }
            SqlExpr::Cast { expr, ty } => {
                let x = self.sql_expr(expr, scope);
                sql.cast(x, self.d.cast_type(*ty))
            }
            SqlExpr::Extract { part, expr } => {
                let x = self.sql_expr(expr, scope);
                Expr::Extract {
                    field: match part {
                        DatePart::Year => DateTimeField::Year,
                        DatePart::Month => DateTimeField::Month,
                        DatePart::Day => DateTimeField::Day,
                    },
                    syntax: ExtractSyntax::From,
                    expr: Box::new(x),
                }
            }
            SqlExpr::Func { f, args } => {
                let args = args.iter().map(|a| self.sql_expr(a, scope)).collect();
                self.d.sql_fn(&sql, *f, args)
            }
        }
    }

    /// A binary operator: comparisons convert dates to timestamps beside a timestamp and
    /// order strings by their bytes; `%` is the dialect's modulo.
    fn sql_binary(&mut self, l: &SqlExpr, op: SqlOp, r: &SqlExpr, scope: Scope<'_>) -> Expr {
        let sql = self.sql;
        let prec = op_precedence(op);
        let (tl, tr) = (sql_ty(l), sql_ty(r));
        // Comparisons are not associative: both sides keep their parentheses.
        let cmp = matches!(op, SqlOp::Cmp(_));
        let mut a = self.sql_child(l, prec, cmp, scope);
        let mut b = self.sql_child(r, prec, true, scope);
        let op = match op {
            SqlOp::Cmp(c) => {
                if tl == Some(Type::Date) && tr == Some(Type::Timestamp) {
                    a = self.d.date_as_timestamp(&sql, a);
                }
                if tr == Some(Type::Date) && tl == Some(Type::Timestamp) {
                    b = self.d.date_as_timestamp(&sql, b);
                }
                // Strings order by their bytes, whatever the collation.
                if (tl == Some(Type::String) || tr == Some(Type::String))
                    && !matches!(c, CmpOp::Eq | CmpOp::Ne)
                {
                    a = self.d.byte_order(&sql, a);
                    b = self.d.byte_order(&sql, b);
                }
                super::cmp_op(c)
            }
            SqlOp::And => BinaryOperator::And,
            SqlOp::Or => BinaryOperator::Or,
            SqlOp::Plus => BinaryOperator::Plus,
            SqlOp::Minus => BinaryOperator::Minus,
            SqlOp::Times => BinaryOperator::Multiply,
            SqlOp::Concat => BinaryOperator::StringConcat,
            SqlOp::Mod => return self.d.modulo(&sql, a, b),
        };
        Expr::BinaryOp {
            left: Box::new(a),
            op,
            right: Box::new(b),
        }
    }

    /// `x [NOT] BETWEEN lo AND hi`, by bytes when strings.
    fn sql_between(
        &mut self,
        expr: &SqlExpr,
        low: &SqlExpr,
        high: &SqlExpr,
        negated: bool,
        scope: Scope<'_>,
    ) -> Expr {
        let sql = self.sql;
        let prec = 4;
        let strings = [expr, low, high]
            .iter()
            .any(|x| sql_ty(x) == Some(Type::String));
        let part = |this: &mut Self, x: &SqlExpr| {
            let v = this.sql_child(x, prec, true, scope);
            if strings {
                this.d.byte_order(&sql, v)
            } else {
                v
            }
        };
        Expr::Between {
            expr: Box::new(part(self, expr)),
            negated,
            low: Box::new(part(self, low)),
            high: Box::new(part(self, high)),
        }
    }
}
