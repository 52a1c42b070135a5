//! Walking a checked `sql` predicate: the expressions below a node and the columns it
//! reads, so that what reads a predicate (the plan's needs, the dependency graph, the
//! docs) does not each spell out every kind of node.

use super::{ColRef, SqlExpr};

impl SqlExpr {
    /// The expressions directly below this one, in the order they are written.
    pub fn children(&self) -> Vec<&SqlExpr> {
        match self {
            SqlExpr::Column(_) | SqlExpr::Lit(_) | SqlExpr::Null => Vec::new(),
            SqlExpr::Not(x)
            | SqlExpr::Neg(x)
            | SqlExpr::IsNull { expr: x, .. }
            | SqlExpr::Like { expr: x, .. }
            | SqlExpr::Cast { expr: x, .. }
            | SqlExpr::Extract { expr: x, .. } => vec![&**x],
            SqlExpr::Binary(a, _, b) => vec![&**a, &**b],
            SqlExpr::Between {
                expr, low, high, ..
            } => vec![&**expr, &**low, &**high],
            SqlExpr::InList { expr, list, .. } => {
                std::iter::once(&**expr).chain(list.iter()).collect()
            }
            SqlExpr::Case {
                operand,
                whens,
                otherwise,
            } => operand
                .iter()
                .map(|x| &**x)
                .chain(whens.iter().flat_map(|(c, r)| [c, r]))
                .chain(otherwise.iter().map(|x| &**x))
                .collect(),
            SqlExpr::Func { args, .. } => args.iter().collect(),
        }
    }

    /// Every column the expression reads, in the order they are written (a column read
    /// twice is listed twice).
    pub fn columns(&self) -> Vec<&ColRef> {
        let mut out = Vec::new();
        let mut todo = vec![self];
        while let Some(e) = todo.pop() {
            if let SqlExpr::Column(c) = e {
                out.push(c);
            }
            // Reversed onto the stack, so that the first child is taken next.
            todo.extend(e.children().into_iter().rev());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ColumnOwner, Lit, SqlFn, SqlOp};
    use super::*;
    use segql_syntax::ast::{CmpOp, Type};

    fn col(name: &str) -> SqlExpr {
        SqlExpr::Column(ColRef {
            owner: ColumnOwner::Entity,
            name: name.to_string(),
            ty: Type::Int,
        })
    }

    fn names(e: &SqlExpr) -> Vec<&str> {
        e.columns().iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn columns_are_found_below_every_kind_of_node_in_written_order() {
        let b = |x: SqlExpr| Box::new(x);
        let e = SqlExpr::Binary(
            b(SqlExpr::Case {
                operand: Some(b(col("a"))),
                whens: vec![(col("b"), SqlExpr::Neg(b(col("c"))))],
                otherwise: Some(b(SqlExpr::Func {
                    f: SqlFn::Coalesce,
                    args: vec![col("d"), SqlExpr::Lit(Lit::Int(0))],
                })),
            }),
            SqlOp::Cmp(CmpOp::Lt),
            b(SqlExpr::Binary(
                b(SqlExpr::Between {
                    expr: b(col("e")),
                    low: b(SqlExpr::Null),
                    high: b(col("f")),
                    negated: false,
                }),
                SqlOp::And,
                b(SqlExpr::InList {
                    expr: b(SqlExpr::Not(b(SqlExpr::IsNull {
                        expr: b(col("g")),
                        negated: true,
                    }))),
                    list: vec![col("h"), col("a")],
                    negated: false,
                }),
            )),
        );
        assert_eq!(names(&e), ["a", "b", "c", "d", "e", "f", "g", "h", "a"]);
        assert_eq!(e.children().len(), 2);
        assert!(col("x").children().is_empty());
    }
}
