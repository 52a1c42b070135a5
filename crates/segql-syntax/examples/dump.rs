//! Parses files and prints diagnostics and the formatted text (a development aid).
fn main() {
    let mut map = segql_syntax::SourceMap::new();
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("read");
        let id = map.add(path.clone(), text.clone());
        let parsed = segql_syntax::parse(&text, id);
        print!(
            "{}",
            segql_syntax::diag::render(&map, &parsed.diags, segql_syntax::RenderOptions::PLAIN)
        );
        print!("{}", segql_syntax::format_file(&parsed.file));
    }
}
