//! Small builders for sqlparser AST nodes.
//!
//! Structs with many fields (SELECT, JOIN, function calls, CTEs) are made by cloning a
//! template parsed once and setting the fields that matter, which keeps this code
//! independent of fields segql never uses. Identifiers and string literals are rendered
//! by the dialect (its quoting and escaping rules) and carried verbatim, because
//! sqlparser's own escaping leaves a quote after a backslash unescaped.

use crate::dialect::Dialect;
use sqlparser::ast::{
    self, BinaryOperator, CaseWhen, Cte, Expr, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, Ident, Join, JoinConstraint, JoinOperator, ObjectName, ObjectNamePart,
    Query, SelectItem, SetExpr, TableAlias, TableFactor, TableWithJoins, UnaryOperator, Value,
    With,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use std::sync::OnceLock;

fn parse_expr(s: &str) -> Expr {
    Parser::new(&GenericDialect {})
        .try_with_sql(s)
        .and_then(|mut p| p.parse_expr())
        .expect("template expression parses")
}

fn parse_query(s: &str) -> Query {
    let stmts = Parser::parse_sql(&GenericDialect {}, s).expect("template query parses");
    match stmts.into_iter().next() {
        Some(ast::Statement::Query(q)) => *q,
        _ => unreachable!("template is a query"),
    }
}

struct Templates {
    query: Query,
    left_join: Join,
    cross_join: Join,
    function: ast::Function,
    window: ast::Function,
    cte_query: Query,
}

fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| {
        let joins = parse_query("SELECT 1 FROM a LEFT JOIN b ON TRUE CROSS JOIN c");
        let SetExpr::Select(sel) = *joins.body.clone() else {
            unreachable!()
        };
        let left_join = sel.from[0].joins[0].clone();
        let cross_join = sel.from[0].joins[1].clone();
        let Expr::Function(function) = parse_expr("f(1)") else {
            unreachable!()
        };
        let Expr::Function(window) = parse_expr("f(1) OVER (PARTITION BY a ORDER BY b)") else {
            unreachable!()
        };
        Templates {
            query: parse_query("SELECT 1"),
            left_join,
            cross_join,
            function,
            window,
            cte_query: parse_query("WITH a AS (SELECT 1) SELECT 1"),
        }
    })
}

/// Builds SQL AST nodes for one dialect.
/// How a window orders by an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ascending, NULLs wherever the engine puts them (for keys that are never NULL).
    Asc,
    AscNullsFirst,
    DescNullsLast,
}

#[derive(Clone, Copy)]
pub struct Sql<'d> {
    pub d: &'d dyn Dialect,
}

/// One output column of a SELECT.
pub struct Proj {
    pub expr: Expr,
    pub alias: Option<String>,
}

pub fn proj(expr: Expr, alias: &str) -> Proj {
    Proj {
        expr,
        alias: Some(alias.to_string()),
    }
}

pub fn proj_bare(expr: Expr) -> Proj {
    Proj { expr, alias: None }
}

/// A SELECT's FROM: a table (or CTE) with an optional alias, then joins.
pub struct From {
    pub base: TableFactor,
    pub joins: Vec<Join>,
}

impl From {
    /// One relation, no joins.
    pub fn bare(base: TableFactor) -> Self {
        From {
            base,
            joins: vec![],
        }
    }
}

impl<'d> Sql<'d> {
    pub fn new(d: &'d dyn Dialect) -> Self {
        Sql { d }
    }

    /// An identifier, quoted when the dialect needs it.
    pub fn ident(&self, name: &str) -> Ident {
        Ident::new(self.d.render_ident(name))
    }

    pub fn name(&self, parts: &[String]) -> ObjectName {
        ObjectName(
            parts
                .iter()
                .map(|p| ObjectNamePart::Identifier(self.ident(p)))
                .collect(),
        )
    }

    /// `qualifier.column`
    pub fn col(&self, qualifier: &str, column: &str) -> Expr {
        Expr::CompoundIdentifier(vec![self.ident(qualifier), self.ident(column)])
    }

    pub fn bare(&self, column: &str) -> Expr {
        Expr::Identifier(self.ident(column))
    }

    /// A string literal, escaped for the dialect.
    pub fn string(&self, s: &str) -> Expr {
        raw(self.d.render_string(s))
    }

    pub fn int(&self, v: i64) -> Expr {
        if v < 0 {
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr: Box::new(number(&v.unsigned_abs().to_string())),
            }
        } else {
            number(&v.to_string())
        }
    }

    /// A decimal literal from its exact text (`-12.50`).
    pub fn decimal(&self, text: &str) -> Expr {
        match text.strip_prefix('-') {
            Some(rest) => Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr: Box::new(number(rest)),
            },
            None => number(text),
        }
    }

    pub fn bool(&self, b: bool) -> Expr {
        raw(self.d.render_bool(b).to_string())
    }

    pub fn func(&self, name: &str, args: Vec<Expr>) -> Expr {
        Expr::Function(self.function(name, args))
    }

    pub fn function(&self, name: &str, args: Vec<Expr>) -> ast::Function {
        let mut f = templates().function.clone();
        f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]);
        f.args = FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            clauses: vec![],
        });
        f
    }

    /// `lambda param : body` (DuckDB's list functions).
    pub fn lambda(&self, param: &str, body: Expr) -> Expr {
        lambda_in(ast::LambdaSyntax::LambdaKeyword, param, body)
    }

    /// `param -> body` (ClickHouse's and Spark's higher-order functions).
    pub fn arrow_lambda(&self, param: &str, body: Expr) -> Expr {
        lambda_in(ast::LambdaSyntax::Arrow, param, body)
    }

    /// `UNNEST(list) AS alias (column)`: a list's elements as rows of one column
    /// (Postgres's list tests, which have no lambdas).
    pub fn unnest(&self, list: Expr, alias: &str, column: &str) -> TableFactor {
        TableFactor::UNNEST {
            alias: Some(TableAlias {
                explicit: true,
                name: self.ident(alias),
                columns: vec![ast::TableAliasColumnDef {
                    name: self.ident(column),
                    data_type: None,
                }],
                at: None,
            }),
            array_exprs: vec![list],
            with_offset: false,
            with_ordinality: false,
            with_offset_alias: None,
        }
    }

    /// `EXISTS (q)`, or `NOT EXISTS (q)` when `negated`.
    pub fn exists(&self, q: Query, negated: bool) -> Expr {
        Expr::Exists {
            subquery: Box::new(q),
            negated,
        }
    }

    /// `COUNT(*)`
    pub fn count_star(&self) -> ast::Function {
        let mut f = self.function("COUNT", vec![]);
        f.args = FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![FunctionArg::Unnamed(FunctionArgExpr::Wildcard)],
            clauses: vec![],
        });
        f
    }

    /// `COUNT(DISTINCT x)`
    pub fn count_distinct(&self, x: Expr) -> ast::Function {
        let mut f = self.function("COUNT", vec![x]);
        if let FunctionArguments::List(l) = &mut f.args {
            l.duplicate_treatment = Some(ast::DuplicateTreatment::Distinct);
        }
        f
    }

    /// `f(args) OVER (PARTITION BY .. ORDER BY ..)` with an optional ROWS frame ending
    /// one row before the current one.
    pub fn window(
        &self,
        mut f: ast::Function,
        partition: Vec<Expr>,
        order: Vec<(Expr, Order)>,
        rows_before_current: bool,
    ) -> Expr {
        let Some(ast::WindowType::WindowSpec(mut spec)) = templates().window.over.clone() else {
            unreachable!()
        };
        spec.partition_by = partition;
        spec.order_by = order
            .into_iter()
            .map(|(e, order)| {
                let (sort, nulls_first) = match order {
                    Order::Asc => (ast::OrderBySort::Asc, None),
                    Order::AscNullsFirst => (ast::OrderBySort::Asc, Some(true)),
                    Order::DescNullsLast => (ast::OrderBySort::Desc, Some(false)),
                };
                ast::OrderByExpr {
                    expr: e,
                    options: ast::OrderByOptions {
                        sort: Some(sort),
                        nulls_first,
                    },
                    with_fill: None,
                }
            })
            .collect();
        spec.window_frame = rows_before_current.then(|| ast::WindowFrame {
            units: ast::WindowFrameUnits::Rows,
            start_bound: ast::WindowFrameBound::Preceding(None),
            end_bound: Some(ast::WindowFrameBound::Preceding(Some(Box::new(number(
                "1",
            ))))),
        });
        f.over = Some(ast::WindowType::WindowSpec(spec));
        Expr::Function(f)
    }

    pub fn case(&self, whens: Vec<(Expr, Expr)>, otherwise: Option<Expr>) -> Expr {
        Expr::Case {
            case_token: ast::helpers::attached_token::AttachedToken::empty(),
            end_token: ast::helpers::attached_token::AttachedToken::empty(),
            operand: None,
            conditions: whens
                .into_iter()
                .map(|(condition, result)| CaseWhen { condition, result })
                .collect(),
            else_result: otherwise.map(Box::new),
        }
    }

    pub fn cast(&self, e: Expr, type_text: &str) -> Expr {
        Expr::Cast {
            kind: ast::CastKind::Cast,
            expr: Box::new(e),
            data_type: ast::DataType::Custom(
                ObjectName(vec![ObjectNamePart::Identifier(Ident::new(type_text))]),
                vec![],
            ),
            format: None,
        }
    }

    pub fn coalesce(&self, e: Expr, default: Expr) -> Expr {
        self.func("COALESCE", vec![e, default])
    }

    pub fn table(&self, parts: &[String], alias: Option<&str>) -> TableFactor {
        let mut t = TableFactor::Table {
            name: self.name(parts),
            alias: None,
            args: None,
            with_hints: vec![],
            version: None,
            with_ordinality: false,
            partitions: vec![],
            json_path: None,
            sample: None,
            index_hints: vec![],
        };
        if let (Some(a), TableFactor::Table { alias, .. }) = (alias, &mut t) {
            *alias = Some(TableAlias {
                explicit: true,
                name: self.ident(a),
                columns: vec![],
                at: None,
            });
        }
        t
    }

    pub fn left_join(&self, relation: TableFactor, on: Expr) -> Join {
        let mut j = templates().left_join.clone();
        j.relation = relation;
        j.join_operator = JoinOperator::Left(JoinConstraint::On(on));
        j
    }

    /// `ANTI JOIN relation ON on` (DuckDB's: the rows without a match).
    pub fn anti_join(&self, relation: TableFactor, on: Expr) -> Join {
        let mut j = templates().left_join.clone();
        j.relation = relation;
        j.join_operator = JoinOperator::Anti(JoinConstraint::On(on));
        j
    }

    /// `JOIN relation ON on`.
    pub fn inner_join(&self, relation: TableFactor, on: Expr) -> Join {
        let mut j = templates().left_join.clone();
        j.relation = relation;
        j.join_operator = JoinOperator::Join(JoinConstraint::On(on));
        j
    }

    pub fn cross_join(&self, relation: TableFactor) -> Join {
        let mut j = templates().cross_join.clone();
        j.relation = relation;
        j
    }

    /// A SELECT query.
    pub fn select(
        &self,
        projection: Vec<Proj>,
        from: Option<From>,
        selection: Option<Expr>,
        group_by: Vec<Expr>,
    ) -> Query {
        let mut q = templates().query.clone();
        let SetExpr::Select(sel) = q.body.as_mut() else {
            unreachable!()
        };
        sel.projection = projection
            .into_iter()
            .map(|p| match p.alias {
                Some(a) => SelectItem::ExprWithAlias {
                    expr: p.expr,
                    alias: self.ident(&a),
                },
                None => SelectItem::UnnamedExpr(p.expr),
            })
            .collect();
        sel.from = from
            .map(|f| {
                vec![TableWithJoins {
                    relation: f.base,
                    joins: f.joins,
                }]
            })
            .unwrap_or_default();
        sel.selection = selection;
        sel.group_by = ast::GroupByExpr::Expressions(group_by, vec![]);
        q
    }

    /// `WITH name AS (query), ... body`
    pub fn with(&self, ctes: Vec<(String, Query)>, mut body: Query) -> Query {
        if ctes.is_empty() {
            return body;
        }
        let template = templates()
            .cte_query
            .with
            .clone()
            .expect("template has WITH");
        let cte_template = template.cte_tables[0].clone();
        let cte_tables: Vec<Cte> = ctes
            .into_iter()
            .map(|(name, q)| {
                let mut c = cte_template.clone();
                c.alias = TableAlias {
                    explicit: false,
                    name: self.ident(&name),
                    columns: vec![],
                    at: None,
                };
                c.query = Box::new(q);
                c
            })
            .collect();
        body.with = Some(With {
            with_token: template.with_token,
            recursive: false,
            cte_tables,
        });
        body
    }

    /// `q1 UNION ALL q2 ...`
    pub fn union_all(&self, mut arms: Vec<Query>) -> Query {
        let first = arms.remove(0);
        let mut body = *first.body;
        for q in arms {
            body = SetExpr::SetOperation {
                op: ast::SetOperator::Union,
                set_quantifier: ast::SetQuantifier::All,
                left: Box::new(body),
                right: q.body,
            };
        }
        let mut out = templates().query.clone();
        out.body = Box::new(body);
        out
    }

    /// [`Sql::with`] for CTE names that are already rendered identifiers (taken from
    /// another statement's WITH).
    pub fn with_raw_names(&self, ctes: Vec<(String, Query)>, body: Query) -> Query {
        let mut q = self.with(
            ctes.iter()
                .map(|(_, q)| ("x".to_string(), q.clone()))
                .collect(),
            body,
        );
        if let Some(w) = &mut q.with {
            for (c, (name, _)) in w.cte_tables.iter_mut().zip(ctes) {
                c.alias.name = Ident::new(name);
            }
        }
        q
    }

    pub fn order_by(&self, mut q: Query, exprs: Vec<Expr>) -> Query {
        q.order_by = Some(ast::OrderBy {
            kind: ast::OrderByKind::Expressions(
                exprs
                    .into_iter()
                    .map(|e| ast::OrderByExpr {
                        expr: e,
                        options: ast::OrderByOptions {
                            sort: None,
                            nulls_first: None,
                        },
                        with_fill: None,
                    })
                    .collect(),
            ),
            interpolate: None,
        });
        q
    }
}

/// Text carried into the printed SQL as is (already escaped by the dialect).
pub fn raw(text: String) -> Expr {
    Expr::Value(Value::Placeholder(text).into())
}

pub fn number(text: &str) -> Expr {
    Expr::Value(Value::Number(text.to_string(), false).into())
}

pub fn bin(l: Expr, op: BinaryOperator, r: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(wrap_for_binary(l)),
        op,
        right: Box::new(wrap_for_binary(r)),
    }
}

/// Parenthesizes operands whose precedence could bind wrongly when printed.
fn wrap_for_binary(e: Expr) -> Expr {
    match e {
        Expr::BinaryOp { .. }
        | Expr::UnaryOp { .. }
        | Expr::IsNotNull(_)
        | Expr::IsNull(_)
        | Expr::InList { .. } => Expr::Nested(Box::new(e)),
        other => other,
    }
}

/// Whether an expression computes a window function (`... OVER (...)`).
pub fn has_window(e: &Expr) -> bool {
    use sqlparser::ast::Visit;
    struct Windows;
    impl sqlparser::ast::Visitor for Windows {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            match e {
                Expr::Function(f) if f.over.is_some() => std::ops::ControlFlow::Break(()),
                _ => std::ops::ControlFlow::Continue(()),
            }
        }
    }
    e.visit(&mut Windows).is_break()
}

/// A `SELECT`'s `QUALIFY` (its rows filtered after its window functions).
pub fn set_qualify(q: &mut Query, cond: Expr) {
    if let SetExpr::Select(sel) = q.body.as_mut() {
        sel.qualify = Some(cond);
    }
}

/// A lambda of one parameter in a dialect's syntax.
fn lambda_in(syntax: ast::LambdaSyntax, param: &str, body: Expr) -> Expr {
    Expr::Lambda(ast::LambdaFunction {
        params: ast::OneOrManyWithParens::One(ast::LambdaFunctionParameter {
            name: Ident::new(param),
            data_type: None,
        }),
        body: Box::new(body),
        syntax,
    })
}

pub fn and(parts: Vec<Expr>) -> Expr {
    match parts.len() {
        0 => raw("TRUE".to_string()),
        _ => balanced(
            parts.into_iter().map(nest_or).collect(),
            BinaryOperator::And,
        ),
    }
}

/// `a op b op c ...` as a balanced tree: printed the same as a left-deep chain (the
/// operator is associative and no parentheses are written), but only log2(n) deep, so
/// that printing and dropping a condition of 100,000 parts does not overflow the stack.
fn balanced(mut parts: Vec<Expr>, op: BinaryOperator) -> Expr {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    let right = parts.split_off(parts.len() / 2);
    Expr::BinaryOp {
        left: Box::new(balanced(parts, op.clone())),
        op: op.clone(),
        right: Box::new(balanced(right, op)),
    }
}

fn nest_or(e: Expr) -> Expr {
    match e {
        Expr::BinaryOp {
            op: BinaryOperator::Or,
            ..
        } => Expr::Nested(Box::new(e)),
        other => other,
    }
}

pub fn or(parts: Vec<Expr>) -> Expr {
    match parts.len() {
        0 => raw("FALSE".to_string()),
        _ => balanced(
            parts.into_iter().map(nest_and).collect(),
            BinaryOperator::Or,
        ),
    }
}

fn nest_and(e: Expr) -> Expr {
    match e {
        Expr::BinaryOp {
            op: BinaryOperator::And,
            ..
        } => Expr::Nested(Box::new(e)),
        other => other,
    }
}

pub fn not(e: Expr) -> Expr {
    Expr::UnaryOp {
        op: UnaryOperator::Not,
        expr: Box::new(Expr::Nested(Box::new(e))),
    }
}

pub fn is_not_null(e: Expr) -> Expr {
    Expr::IsNotNull(Box::new(e))
}

pub fn derived(q: Query, alias: &str, sql: &Sql<'_>) -> TableFactor {
    TableFactor::Derived {
        lateral: false,
        subquery: Box::new(q),
        alias: Some(TableAlias {
            explicit: true,
            name: sql.ident(alias),
            columns: vec![],
            at: None,
        }),
        sample: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Expr {
        raw(s.to_string())
    }

    #[test]
    fn and_and_or_parenthesize_what_binds_looser_wherever_it_stands() {
        let text = |e: Expr| e.to_string();
        assert_eq!(
            text(and(vec![or(vec![v("a"), v("b")]), v("c")])),
            "(a OR b) AND c"
        );
        assert_eq!(
            text(and(vec![v("c"), or(vec![v("a"), v("b")])])),
            "c AND (a OR b)"
        );
        assert_eq!(
            text(or(vec![and(vec![v("a"), v("b")]), v("c")])),
            "(a AND b) OR c"
        );
        assert_eq!(text(and(vec![])), "TRUE");
        assert_eq!(text(or(vec![])), "FALSE");
    }
}
