//! The CTEs computed per entity from its own table (`Derived`): an entity's ntiles, the
//! counts over related entities, and the keys an `or`'s alternative is looked up for
//! (`super::lookups`); each with the block over the entity that its expressions read.

use super::Block;
use crate::ir::*;

/// One `ntile` of an entity's shared ntile CTE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    pub k: i64,
    pub value: Scalar,
    pub descending: bool,
    pub ties_together: bool,
    /// The population; `None`: every entity.
    pub among: Option<Cond>,
    pub name: String,
}

impl Tile {
    /// The tile of `Scalar::Ntile` `s` (named `name`); `None` for another scalar.
    pub fn of(s: &Scalar, name: String) -> Option<Tile> {
        let Scalar::Ntile {
            k,
            value,
            descending,
            ties_together,
            among,
        } = s
        else {
            return None;
        };
        Some(Tile {
            k: *k,
            value: (**value).clone(),
            descending: *descending,
            ties_together: *ties_together,
            among: among.as_deref().cloned(),
            name,
        })
    }

    /// Whether this is the tile of `Scalar::Ntile` `s`.
    pub fn is(&self, s: &Scalar) -> bool {
        Tile::of(s, String::new()).is_some_and(|t| {
            Tile {
                name: String::new(),
                ..self.clone()
            } == t
        })
    }
}

/// A CTE computed per entity from its own table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Derived {
    /// Every `ntile` of one entity: one pass over its table, a window column per tile.
    /// One tile alone is its own CTE (`ntile_10`, column `bucket`); several share
    /// `ntiles`, a column each named like the tile.
    Ntile {
        entity: EntityId,
        tiles: Vec<Tile>,
        cte: String,
        block: Block,
    },
    /// Every quantifier over one relationship (outer entity, inner entity, reference):
    /// one pass over the inner table, one `matching` count per condition.
    Quant {
        outer: EntityId,
        inner: EntityId,
        via_ref: usize,
        conds: Vec<Cond>,
        cte: String,
        block: Block,
    },
    /// The keys with an event of one alternative of an `or` (a `did`), looked up only
    /// among the keys for which none of the others holds (`plan::lookups`): one column,
    /// the entity's key. The block is over the entity and joins what the other
    /// alternatives read.
    Lookup {
        entity: EntityId,
        alternatives: Vec<Cond>,
        looked_up: usize,
        cte: String,
        block: Block,
    },
}

impl Derived {
    pub fn cte(&self) -> &str {
        match self {
            Derived::Ntile { cte, .. }
            | Derived::Quant { cte, .. }
            | Derived::Lookup { cte, .. } => cte,
        }
    }

    pub fn block(&self) -> &Block {
        match self {
            Derived::Ntile { block, .. }
            | Derived::Quant { block, .. }
            | Derived::Lookup { block, .. } => block,
        }
    }

    pub(crate) fn block_mut(&mut self) -> &mut Block {
        match self {
            Derived::Ntile { block, .. }
            | Derived::Quant { block, .. }
            | Derived::Lookup { block, .. } => block,
        }
    }
}

/// The column of a quantifier's condition in its relationship's CTE: `matching` when it
/// is the only one, else `matching_1`, `matching_2`, ... in the order collected.
pub fn matching_column(conds: usize, ci: usize) -> String {
    if conds == 1 {
        "matching".to_string()
    } else {
        format!("matching_{}", ci + 1)
    }
}
