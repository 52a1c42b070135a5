//! The sequences' CTE chains (planning's last naming step): per events relation, the
//! sequences that take time buckets and those that take window passes (or, for one
//! sequence alone over its relation whose pairs the statistics bound, joins), the CTE
//! names each adds, and which sequences read a longer one's steps (a funnel's stages).

use super::names;
use super::{
    collect, Buckets, Capabilities, ChainForm, SeqChain, SeqFeature, SequenceJoins, Sequences,
    Unmatched,
};
use crate::dialect::fixed_micros;
use crate::ir::*;

/// The CTE chains of the sequences, named after everything else: per events relation,
/// one chain of the sequences that take time buckets and one of those that take window
/// passes (a calendar `within`, or a dialect without buckets), each only when it has
/// members; a relation's only sequence takes joins instead where [`join_ctes`] says.
pub(super) fn chains(
    p: &Program,
    collected: &collect::Collected,
    caps: &Capabilities,
    names: &mut names::Names,
) -> Vec<SeqChain> {
    let seqs = &collected.sequences;
    let mut chains: Vec<SeqChain> = Vec::new();
    for f in seqs {
        if chains.iter().any(|c| c.events == f.seq.events) {
            continue;
        }
        let over: Vec<usize> = (0..seqs.len())
            .filter(|&i| seqs[i].seq.events == f.seq.events)
            .collect();
        let group = collected
            .seq_groups
            .iter()
            .find(|(e, _)| *e == f.seq.events)
            .map(|(_, g)| g.clone());
        let withins: Vec<_> = over
            .iter()
            .map(|&i| bucket_withins(&seqs[i].seq, caps))
            .collect();
        let (bucketed, passes): (Vec<_>, Vec<_>) =
            over.iter().zip(withins).partition(|(_, w)| w.is_some());
        if let ([(&i, _)], []) = (bucketed.as_slice(), passes.as_slice()) {
            if let Some(step_ctes) = join_ctes(p, &seqs[i], caps, names) {
                chains.push(SeqChain {
                    events: f.seq.events,
                    members: vec![i],
                    group: None,
                    steps_cte: names.fresh(&format!("{}_steps", seqs[i].cte)),
                    step_ctes: vec![],
                    form: ChainForm::Joins(step_ctes),
                });
                continue;
            }
        }
        if !bucketed.is_empty() {
            let alone = bucketed.len() == 1;
            let base = match &group {
                Some(g) if !alone => g.clone(),
                _ => seqs[*bucketed[0].0].cte.clone(),
            };
            let steps_cte = names.fresh(&format!("{base}_steps"));
            let members: Vec<usize> = bucketed.iter().map(|(&i, _)| i).collect();
            let longer: Vec<Option<usize>> = members
                .iter()
                .map(|&i| longest_extension(seqs, &members, i))
                .collect();
            let mut buckets: Vec<Buckets> = bucketed
                .iter()
                .zip(&longer)
                .map(|((&i, w), longer)| {
                    let withins = w.clone().unwrap_or_default();
                    let ctes = match longer {
                        Some(_) => Vec::new(),
                        None => bucket_ctes(&seqs[i].cte, &withins, alone, names),
                    };
                    Buckets {
                        withins,
                        ctes,
                        prefix_rows: None,
                    }
                })
                .collect();
            for (m, long) in longer.iter().enumerate() {
                if let Some(long) = *long {
                    let n = seqs[members[m]].seq.steps.len();
                    buckets[m].prefix_rows = prefix_rows(&buckets[long].ctes, n);
                }
            }
            chains.push(SeqChain {
                events: f.seq.events,
                members,
                // In time buckets each sequence has its own result CTE.
                group: None,
                steps_cte,
                step_ctes: vec![],
                form: ChainForm::TimeBuckets(buckets),
            });
        }
        if !passes.is_empty() {
            let members: Vec<usize> = passes.iter().map(|(&i, _)| i).collect();
            let group = group.filter(|_| members.len() > 1);
            let cte = group
                .clone()
                .unwrap_or_else(|| seqs[members[0]].cte.clone());
            let steps_cte = names.fresh(&format!("{cte}_steps"));
            let longest = members
                .iter()
                .map(|&i| seqs[i].seq.steps.len())
                .max()
                .unwrap_or(0);
            let step_ctes = (2..=longest)
                .map(|j| names.fresh(&format!("{cte}_step{j}")))
                .collect();
            chains.push(SeqChain {
                events: f.seq.events,
                members,
                group,
                steps_cte,
                step_ctes,
                form: ChainForm::WindowPasses,
            });
        }
    }
    chains
}

/// The CTE names of a sequence's middle steps when it is tested by joins: alone over
/// its relation, on a dialect that joins where the statistics bound the pairs, and
/// bounded (every step names its events).
fn join_ctes(
    p: &Program,
    f: &SeqFeature,
    caps: &Capabilities,
    names: &mut names::Names,
) -> Option<Vec<String>> {
    if caps.sequence_joins != SequenceJoins::WhenStatisticsBound {
        return None;
    }
    if !super::pairs_bounded(p, &f.seq) {
        return None;
    }
    Some(
        (2..f.seq.steps.len())
            .map(|j| names.fresh(&format!("{}_step{j}", f.cte)))
            .collect(),
    )
}

/// A sequence's `within`s in time buckets, when every one is absent or of a fixed
/// length and the dialect takes them (and reads unmatched outer-join columns as NULL,
/// which the bucket joins rely on); `None`: window passes.
fn bucket_withins(seq: &Sequence, caps: &Capabilities) -> Option<Vec<Option<(Duration, i64)>>> {
    if caps.sequences != Sequences::TimeBuckets
        || caps.unmatched != Unmatched::Null
        || seq.steps.len() < 2
    {
        return None;
    }
    seq.steps[1..]
        .iter()
        .map(|step| match step.within {
            None => Some(None),
            Some(d) => fixed_micros(d.unit)
                .and_then(|us| us.checked_mul(d.n))
                .map(|us| Some((d, us))),
        })
        .collect()
}

/// The position in `members` (indices into `seqs`) of the longest sequence that sequence
/// `i` starts: more steps, the same relation and window, and `i`'s steps its first ones,
/// each with the same names, property condition and `within`. The first of the longest
/// on a tie; it starts no longer one itself, so it has CTEs of its own.
fn longest_extension(seqs: &[SeqFeature], members: &[usize], i: usize) -> Option<usize> {
    let short = &seqs[i].seq;
    let mut best: Option<usize> = None;
    for (m, &b) in members.iter().enumerate() {
        let long = &seqs[b].seq;
        let starts = long.steps.len() > short.steps.len()
            && long.events == short.events
            && long.window == short.window
            && short
                .steps
                .iter()
                .zip(&long.steps)
                .all(|(a, b)| a.names == b.names && a.pred == b.pred && a.within == b.within);
        if starts && best.is_none_or(|x| seqs[members[x]].seq.steps.len() < long.steps.len()) {
            best = Some(m);
        }
    }
    best
}

/// In the CTEs of a sequence of three steps or more ([`bucket_ctes`]), the valid events
/// of step `n` (a middle step: 2 <= n < the sequence's steps).
fn prefix_rows(long_ctes: &[String], n: usize) -> Option<String> {
    long_ctes.get((2 * n).checked_sub(3)?).cloned()
}

/// The CTEs one sequence in time buckets adds before its result CTE `own` ([`Buckets`]).
fn bucket_ctes(
    own: &str,
    withins: &[Option<(Duration, i64)>],
    alone: bool,
    names: &mut names::Names,
) -> Vec<String> {
    match withins {
        [within] => {
            let mut v = Vec::new();
            if !alone {
                v.push(names.fresh(&format!("{own}_steps")));
            }
            if within.is_some() {
                v.push(names.fresh(&format!("{own}_step2")));
            }
            v
        }
        _ => {
            let mut v = vec![names.fresh(&format!("{own}_step1_buckets"))];
            for j in 2..=withins.len() {
                v.push(names.fresh(&format!("{own}_step{j}")));
                v.push(names.fresh(&format!("{own}_step{j}_buckets")));
            }
            v.push(names.fresh(&format!("{own}_step{}_buckets", withins.len() + 1)));
            v
        }
    }
}
