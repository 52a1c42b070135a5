//! Every request around every token of every fixture, broken files included: the
//! server's features never panic, whatever the text, and what they return points into
//! the files.

use segql_lsp::workspace::{path_uri, Workspace};
use segql_lsp::{completion, hover, nav};
use std::path::{Path, PathBuf};

fn seg_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(seg_files(&p));
        } else if p.extension().is_some_and(|x| x == "seg") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_request_around_every_token_of_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        "fixtures",
        "examples/saas",
        "crates/segql-syntax/tests/fuzz-inputs",
    ] {
        files.extend(seg_files(&root.join(dir)));
    }
    assert!(files.len() > 150, "{}", files.len());
    let mut answered = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        // Open as an editor would: the text (lossily, if it is not UTF-8).
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mut ws = Workspace::default();
        let uri = path_uri(&std::fs::canonicalize(path).unwrap()).unwrap();
        ws.open(uri.clone(), text.clone());
        let (a, file) = ws.analysis_for(&uri).expect("an analysis");
        let f = a.file(file).expect("the file");
        let ix = a.index();
        // At each token's start, inside it and at its end, and just after it.
        let lexed = segql_syntax::lexer::lex(&text, segql_syntax::FileId(0));
        let mut offsets: Vec<u32> = vec![0, text.len() as u32];
        for t in &lexed.tokens {
            offsets.extend([t.start, t.start + 1, t.end, t.end + 1]);
        }
        offsets.retain(|&o| (o as usize) <= text.len() && text.is_char_boundary(o as usize));
        offsets.sort_unstable();
        offsets.dedup();
        for offset in offsets {
            if let Some(occ) = ix.at(file, offset) {
                assert!(occ.span.start <= offset && offset <= occ.span.end);
                let _ = hover::text(&a, occ);
                answered += 1;
            }
            if let Some(l) = nav::definition(&a, file, offset) {
                assert!(l.uri.as_str().starts_with("file://"), "{}", l.uri.as_str());
            }
            let _ = nav::references(&a, file, offset, true);
            let _ = nav::prepare_rename(&a, file, offset);
            for item in completion::complete(ix, file, &f.text, &f.lines, offset) {
                let Some(lsp_types::CompletionTextEdit::Edit(e)) = item.text_edit else {
                    panic!("an item without its edit: {item:?}");
                };
                // The edit replaces text that ends at the cursor or at the quote after it.
                let end = f.lines.offset(&f.text, e.range.end);
                assert!(
                    end == offset || end == offset + 1,
                    "{}: {offset}: {e:?}",
                    path.display()
                );
            }
        }
        let _ = nav::outline(&a, file);
    }
    assert!(answered > 5_000, "{answered}");
}
