//! What the parser accepts, every later stage handles: very long conditions compile and
//! print in every dialect without overflowing the stack (issue 11: a flat chain of
//! 130,000 `and`s that `check`, `fmt` and `graph` accepted made `compile` abort).

mod common;

use common::{options, project};
use segql_plan::compile;
use segql_plan::compile::Request;
use segql_plan::dialect;

fn long_chain(op: &str, n: usize) -> String {
    let parts: Vec<String> = (0..n)
        .map(|i| match i % 3 {
            0 => format!("age > {i}"),
            1 => format!("did \"e{}\" in last {} days", i % 50, 1 + i % 90),
            _ => format!("country = \"c{i}\""),
        })
        .collect();
    format!(
        r#"entity user {{
  table analytics.users
  key user_id
  columns {{ age int  country string }}
}}
events of user {{
  table analytics.events
  key user_id
  name event_name
  time occurred_at
}}
segment long {{ where {} }}
"#,
        parts.join(&format!(" {op} "))
    )
}

/// Runs on a thread with a small stack (a test thread's default is 2 MiB; this is 1 MiB),
/// so that depth proportional to the chain's length would fail here first.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(f)
        .expect("thread")
        .join()
        .expect("no stack overflow");
}

#[test]
fn a_chain_of_130000_ands_compiles_in_every_dialect() {
    on_small_stack(|| {
        let text = long_chain("and", 130_000);
        let (_, p) = project(&[("long.seg", &text)]);
        let id = p.segment_by_name("long").expect("segment");
        for d in dialect::all() {
            let q = compile::compile(&p, &Request::Segment(id), d, options()).expect("compiles");
            let sql = compile::to_sql(&q);
            assert!(sql.contains("age > 129999"), "{}", d.name());
            drop(q);
        }
    });
}

#[test]
fn a_chain_of_130000_ors_compiles_in_a_batch() {
    on_small_stack(|| {
        let text = long_chain("or", 130_000);
        let (_, p) = project(&[("long.seg", &text)]);
        let id = p.segment_by_name("long").expect("segment");
        let q = compile::compile(&p, &Request::batch(&[id]), &dialect::DuckDb, options())
            .expect("compiles");
        assert!(compile::to_sql(&q).contains("c129998"));
    });
}
