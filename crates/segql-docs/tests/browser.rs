//! The docs site of the example project (examples/saas) in a real browser: headless
//! Chromium over WebDriver, started once for the whole run.
//!
//! The site is served by segql-docs' own server (as `segql docs serve` does, with its
//! Content-Security-Policy) and also opened from disk through `file://`. Each test
//! searches, filters, follows links through the lineage graph or reads a page, then
//! fails on any console line at level SEVERE, and leaves a screenshot in
//! `$CARGO_TARGET_TMPDIR/segql-docs-browser/` (printed at the start).
//!
//! Without chromium and chromedriver the tests are skipped with the reason printed;
//! in CI (CI set, not `false` or `0`) that is a failure. scripts/setup-browser installs
//! both.

mod support;

use fantoccini::actions::{
    InputSource, MouseActions, PointerAction, WheelAction, WheelActions, MOUSE_BUTTON_LEFT,
};
use fantoccini::elements::Element;
use fantoccini::Locator;
use libtest_mimic::{Arguments, Failed, Trial};
use segql_docs::{Running, Sizes};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use support::browser::{file_url, in_ci, Browser, Unavailable};

struct Ctx {
    b: Browser,
    /// `http://127.0.0.1:PORT/`
    http: String,
    /// The site written to disk, for `file://`.
    dir: tempfile::TempDir,
    /// Pages of the site (`segment/paying.html`, ...).
    pages: Vec<String>,
    items: usize,
    /// How long building the site, starting the browser and its first page took.
    timings: (Duration, Duration, Duration),
    _server: Running,
}

type Step<T> = Result<T, String>;

/// A test: its steps on the shared browser.
type TestFn = fn(&Ctx) -> Step<()>;

impl Ctx {
    fn goto(&self, url: &str) -> Step<()> {
        self.b
            .run(&format!("opening {url}"), self.b.client().goto(url))
    }

    fn open(&self, path: &str) -> Step<()> {
        self.goto(&format!("{}{path}", self.http))
    }

    fn find(&self, css: &str) -> Step<Element> {
        self.b.run(
            &format!("finding {css}"),
            self.b
                .client()
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(css)),
        )
    }

    fn all(&self, css: &str) -> Step<Vec<Element>> {
        self.b.run(
            &format!("finding {css}"),
            self.b.client().find_all(Locator::Css(css)),
        )
    }

    fn text(&self, css: &str) -> Step<String> {
        let e = self.find(css)?;
        self.b.run(&format!("reading {css}"), e.text())
    }

    fn click(&self, css: &str) -> Step<()> {
        let e = self.find(css)?;
        self.b.run(&format!("clicking {css}"), e.click())
    }

    fn type_into(&self, css: &str, text: &str) -> Step<()> {
        let e = self.find(css)?;
        self.b.run(&format!("clearing {css}"), e.clear())?;
        self.b.run(&format!("typing into {css}"), e.send_keys(text))
    }

    /// Runs a script returning JSON.
    fn js(&self, script: &str) -> Step<serde_json::Value> {
        self.b
            .run("running a script", self.b.client().execute(script, vec![]))
    }

    /// The number of elements matching `css` that are shown.
    fn visible(&self, css: &str) -> Step<usize> {
        let v = self.js(&format!(
            "return Array.from(document.querySelectorAll({})).filter(e => !e.hidden && e.offsetParent !== null).length;",
            serde_json::to_string(css).unwrap_or_default()
        ))?;
        Ok(v.as_u64().unwrap_or(0) as usize)
    }

    fn url(&self) -> Step<String> {
        self.b
            .run("reading the address", self.b.client().current_url())
            .map(|u| u.to_string())
    }

    fn wait_url(&self, ends: &str) -> Step<String> {
        for _ in 0..100 {
            let u = self.url()?;
            if u.split(['?', '#']).next().unwrap_or("").ends_with(ends) {
                return Ok(u);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "the address never ended with {ends}: {}",
            self.url()?
        ))
    }

    /// Scrolls `css` to just below the page's header and keeps a screenshot as
    /// `NAME.png` (beside the one each test leaves of where it ended).
    fn shot(&self, name: &str, css: &str) -> Step<()> {
        self.js(&format!(
            "document.querySelector({}).scrollIntoView({{block: 'start'}}); window.scrollBy(0, -110); return null;",
            serde_json::to_string(css).unwrap_or_default()
        ))?;
        self.b.screenshot(name).map(|_| ())
    }

    fn view_box(&self) -> Step<Vec<f64>> {
        let v = self.js("return document.getElementById('lineage').getAttribute('viewBox');")?;
        Ok(v.as_str()
            .unwrap_or("")
            .split(' ')
            .filter_map(|x| x.parse().ok())
            .collect())
    }
}

fn ensure(ok: bool, what: impl FnOnce() -> String) -> Step<()> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

/// The index lists every item; typing and choosing filters narrows the table, and the
/// filters are kept in the address.
fn index_filters(c: &Ctx) -> Step<()> {
    c.open("index.html")?;
    let rows = c.visible("#items tbody tr")?;
    ensure(rows == c.items, || {
        format!("{rows} rows shown, {} items", c.items)
    })?;
    c.type_into("#filter-q", "pricing")?;
    let shown = c.visible("#items tbody tr")?;
    let names = c.js("return Array.from(document.querySelectorAll('#items tbody tr')).filter(r => !r.hidden).map(r => r.cells[0].textContent.trim());")?;
    ensure(shown >= 2 && shown < rows, || {
        format!("`pricing` shows {shown} rows: {names}")
    })?;
    ensure(names.to_string().contains("pricing_lurkers"), || {
        format!("{names}")
    })?;
    c.type_into("#filter-q", "")?;
    let kind = c.find("#filter-kind")?;
    // As many rows of a kind as the site has pages of it.
    for (word, what) in [("trait", "traits"), ("action", "actions")] {
        let want = c
            .pages
            .iter()
            .filter(|p| p.starts_with(&format!("{word}/")))
            .count();
        ensure(want > 0, || format!("the example has no {what}"))?;
        c.b.run(&format!("choosing {what}"), kind.select_by_value(word))?;
        let shown = c.visible("#items tbody tr")?;
        ensure(shown == want, || {
            format!("{want} {what} expected, {shown} rows shown")
        })?;
        ensure(
            c.text("#filter-count")? == format!("{want} of {rows} items"),
            || "count".into(),
        )?;
    }
    c.b.run("choosing all kinds", kind.select_by_value(""))?;
    let tag = c.find("#filter-tag")?;
    c.b.run("choosing a tag", tag.select_by_value("rfm"))?;
    let rfm = c.visible("#items tbody tr")?;
    ensure((1..5).contains(&rfm), || {
        format!("tag rfm shows {rfm} rows")
    })?;
    let url = c.url()?;
    ensure(url.contains("tag=rfm"), || {
        format!("the filter is not in the address: {url}")
    })?;
    // Nothing matches: the table says so.
    c.type_into("#filter-q", "no item is called this")?;
    ensure(c.visible("#no-match")? == 1, || {
        "no `nothing matches` line".into()
    })?;
    // The address opens the index filtered.
    c.open("index.html?q=lurkers")?;
    ensure(c.visible("#items tbody tr")? == 1, || {
        "?q=lurkers does not filter".into()
    })
}

/// The search box in the header finds items from any page and opens them.
fn header_search(c: &Ctx) -> Step<()> {
    c.open("segment/paying.html")?;
    c.type_into("#site-search", "lead score")?;
    let first = c.text("#search-results li:first-child a")?;
    ensure(
        first.contains("lead_score") || first.contains("hot_leads"),
        || format!("first result: {first}"),
    )?;
    let all = c.text("#search-results")?;
    ensure(
        all.contains("hot_leads") && all.contains("lead_score"),
        || all.clone(),
    )?;
    // By name, best first; Enter on the highlighted result opens it.
    c.type_into("#site-search", "champions")?;
    let e = c.find("#site-search")?;
    c.b.run("pressing ArrowDown", e.send_keys("\u{E015}"))?;
    c.b.run("pressing Enter", e.send_keys("\u{E007}"))?;
    c.wait_url("segment/champions.html")?;
    ensure(c.text("#item-name")? == "champions", || {
        "not the champions page".into()
    })?;
    // Searching in the words of a condition: "ntile" is not in any name.
    c.type_into("#site-search", "bucket")?;
    let r = c.text("#search-results")?;
    ensure(r.contains("champions"), || format!("`bucket` finds: {r}"))
}

/// A segment's page: the words, the definition, SQL per dialect behind tabs, links to
/// what it reads.
fn item_page(c: &Ctx) -> Step<()> {
    c.open("segment/pricing_lurkers.html")?;
    let words = c.text("#meaning .words")?;
    let want = "Users who did page_viewed where page is /pricing at least 3 times in the last 14 days and who did not do purchase in the last 90 days.";
    ensure(words == want, || format!("in words: {words:?}"))?;
    let def = c.text("#definition-code")?;
    ensure(def.starts_with("segment pricing_lurkers {"), || def.clone())?;
    ensure(c.visible(".sql-panel")? == 1, || {
        "one SQL panel shown".into()
    })?;
    c.click("#tab-snowflake")?;
    let sql = c.text("#sql-snowflake")?;
    ensure(
        sql.contains("-- segment pricing_lurkers, snowflake, as of 2026-01-01T00:00:00Z"),
        || sql.clone(),
    )?;
    ensure(c.visible(".sql-panel")? == 1, || {
        "one SQL panel after a click".into()
    })?;
    c.shot("item-page-sql", "#sql-snowflake")?;
    // The choice holds on the next page.
    c.open("segment/paying.html")?;
    ensure(c.visible("#sql-snowflake")? == 1, || {
        "the dialect was not remembered".into()
    })?;
    c.click("#tab-duckdb")?;
    // From what it reads to the relation's page and back through "Read by".
    c.open("segment/pricing_lurkers.html")?;
    c.click("#reads a.ref.events")?;
    c.wait_url("events/user-2e.events.html")?;
    let props = c.text("#properties")?;
    ensure(props.contains("pricing_lurkers"), || {
        format!("page is not read by pricing_lurkers: {props}")
    })?;
    Ok(())
}

/// The lineage graph: every item a node; zoom, pan, find; click through a node to its
/// page, from there back to the graph centred on it, and on to what it reads.
fn lineage(c: &Ctx) -> Step<()> {
    c.open("lineage.html")?;
    let nodes = c.all("#lineage .node")?.len();
    ensure(nodes == c.items, || {
        format!("{nodes} nodes, {} items", c.items)
    })?;
    let edges = c.all("#lineage .edge")?.len();
    ensure(edges > nodes, || format!("only {edges} edges"))?;
    c.click("#zoom-fit")?;
    let fit = c.view_box()?;
    c.click("#zoom-in")?;
    let zoomed = c.view_box()?;
    ensure(zoomed[2] < fit[2], || {
        format!("zoom in: {fit:?} → {zoomed:?}")
    })?;
    // The wheel zooms out around the pointer.
    let graph = c.find("#graph")?;
    let (gx, gy, gw, gh) = c.b.run("measuring the graph", graph.rectangle())?;
    let wheel = WheelActions::new("wheel".into()).then(WheelAction::Scroll {
        duration: None,
        x: (gx + gw / 2.0) as i64,
        y: (gy + gh / 2.0) as i64,
        delta_x: 0,
        delta_y: 300,
    });
    c.b.run("scrolling the wheel", c.b.client().perform_actions(wheel))?;
    let out = c.view_box()?;
    ensure(out[2] > zoomed[2], || {
        format!("wheel: {zoomed:?} → {out:?}")
    })?;
    // Dragging pans and does not open the node under the pointer.
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: gx + gw / 2.0,
            y: gy + gh / 2.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: 160.0,
            y: 90.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.b.run("dragging the graph", c.b.client().perform_actions(drag))?;
    let panned = c.view_box()?;
    ensure(panned[0] < out[0] && panned[1] < out[1], || {
        format!("drag: {out:?} → {panned:?}")
    })?;
    ensure(c.url()?.contains("lineage.html"), || {
        "a drag followed a link".into()
    })?;
    // Find centres and highlights a node; clicking it opens its page.
    c.type_into("#graph-find", "hot_leads")?;
    let centre =
        c.js("return document.querySelector('#lineage .node.center').getAttribute('data-id');")?;
    ensure(centre == "segment/hot_leads", || {
        format!("centred: {centre}")
    })?;
    c.shot("lineage-found", "#graph")?;
    c.click("#lineage .node[data-id='segment/hot_leads']")?;
    c.wait_url("segment/hot_leads.html")?;
    // Back to the graph from the page: centred on it, what it reads highlighted.
    c.click("#show-in-lineage")?;
    c.wait_url("lineage.html")?;
    let near = c.js("return Array.from(document.querySelectorAll('#lineage .node.near')).map(n => n.getAttribute('data-id')).sort();")?;
    for want in [
        "trait/lead_score",
        "segment/paying",
        "segment/internal_test_users",
        "entity/user",
    ] {
        ensure(near.to_string().contains(want), || {
            format!("{want} not highlighted: {near}")
        })?;
    }
    // On through the trait it reads (found first: the graph is larger than the view,
    // and a node outside it cannot be clicked): its page lists hot_leads among its
    // users.
    c.type_into("#graph-find", "lead_score")?;
    let centre =
        c.js("return document.querySelector('#lineage .node.center').getAttribute('data-id');")?;
    ensure(centre == "trait/lead_score", || {
        format!("centred: {centre}")
    })?;
    c.click("#lineage .node[data-id='trait/lead_score']")?;
    c.wait_url("trait/lead_score.html")?;
    let used = c.text("#used-by")?;
    ensure(used.contains("hot_leads"), || {
        format!("lead_score used by: {used}")
    })?;
    c.click("#used-by a[href$='segment/hot_leads.html']")?;
    c.wait_url("segment/hot_leads.html")?;
    Ok(())
}

/// Sizes, a sample and the size over time, when the site is given them.
fn sizes(c: &Ctx) -> Step<()> {
    c.open("segment/paying.html")?;
    let size = c.text("#size .size")?;
    ensure(size.starts_with("312 members · 15.6% of 2,000"), || {
        size.clone()
    })?;
    ensure(c.all("#size svg.chart circle")?.len() == 7, || {
        "7 points".into()
    })?;
    ensure(c.text("#size")?.contains("u0042"), || "the sample".into())?;
    c.shot("sizes-chart", "#size")?;
    // Without figures, no size section.
    c.open("segment/hot_leads.html")?;
    ensure(c.all("#size")?.is_empty(), || {
        "a size section without sizes".into()
    })?;
    c.open("index.html")?;
    let cell = c.js("return Array.from(document.querySelectorAll('#items tbody tr')).find(r => r.cells[0].textContent.trim() === 'paying').cells[6].textContent;")?;
    ensure(cell == "312", || format!("index size: {cell}"))
}

/// Every page, one after another: none logs an error (scripts, styles, the policy).
fn every_page(c: &Ctx) -> Step<()> {
    for p in &c.pages {
        c.open(p)?;
        let console = c.b.console()?;
        if let Some(bad) = console.iter().find(|l| l.level == "SEVERE") {
            return Err(format!("{p}: {}", bad.message));
        }
    }
    Ok(())
}

/// The site opened from disk works too: search, filters, the graph.
fn from_disk(c: &Ctx) -> Step<()> {
    let index = c.dir.path().join("index.html");
    c.goto(&file_url(&index))?;
    c.type_into("#filter-q", "accounts")?;
    let shown = c.visible("#items tbody tr")?;
    ensure(shown > 0 && shown < c.items, || format!("{shown} rows"))?;
    c.type_into("#site-search", "journey")?;
    c.click("#search-results li:first-child a")?;
    c.wait_url("priority/journey.html")?;
    c.click(".main-nav a[href$='lineage.html']")?;
    c.wait_url("lineage.html")?;
    ensure(c.all("#lineage .node")?.len() == c.items, || {
        "nodes from disk".into()
    })
}

/// The console check itself sees errors (else every test above would pass vacuously).
fn console_is_read(c: &Ctx) -> Step<()> {
    c.open("index.html")?;
    c.js("console.error('segql-probe'); return null;")?;
    let lines = c.b.console()?;
    ensure(
        lines
            .iter()
            .any(|l| l.level == "SEVERE" && l.message.contains("segql-probe")),
        || format!("console.error was not seen: {lines:?}"),
    )
}

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    // One browser, one page at a time.
    args.test_threads = Some(1);
    let tests: Vec<(&str, TestFn, bool)> = vec![
        ("console_is_read", console_is_read, false),
        ("index_filters", index_filters, true),
        ("header_search", header_search, true),
        ("item_page", item_page, true),
        ("lineage", lineage, true),
        ("sizes", sizes, true),
        ("from_disk", from_disk, true),
        ("every_page", every_page, true),
    ];
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("segql-docs-browser");
    let ctx = match setup(shots.clone()) {
        Ok(ctx) => Arc::new(ctx),
        Err(Unavailable::Missing(why)) if !in_ci() => {
            println!("skipping the browser tests: {why}");
            // Ignored; asked to run anyway (--include-ignored), each fails with the reason.
            let trials = tests
                .iter()
                .map(|(name, _, _)| {
                    let why = why.clone();
                    Trial::test(*name, move || Err(Failed::from(why))).with_ignored_flag(true)
                })
                .collect();
            return libtest_mimic::run(&args, trials).exit_code();
        }
        Err(Unavailable::Missing(why) | Unavailable::Broken(why)) => {
            eprintln!("the browser tests cannot run: {why}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "site built in {:.1} s, browser started in {:.1} s, its first page in {:.1} s; screenshots: {}",
        ctx.timings.0.as_secs_f64(),
        ctx.timings.1.as_secs_f64(),
        ctx.timings.2.as_secs_f64(),
        shots.display()
    );
    let trials = tests
        .into_iter()
        .map(|(name, f, console)| {
            let c = Arc::clone(&ctx);
            Trial::test(name, move || run_one(&c, name, f, console))
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if let Ok(ctx) = Arc::try_unwrap(ctx) {
        ctx.b.shutdown();
    }
    conclusion.exit_code()
}

/// Runs a test; when the browser stopped answering during it, starts a new browser and
/// runs the test once more (printed), so a stalled Chromium is not taken for a broken
/// site. An answer that is wrong fails at once.
fn run_one(c: &Ctx, name: &str, f: TestFn, check_console: bool) -> Result<(), Failed> {
    c.b.took_hung(); // a stall before this test is not this test's
    let first = attempt(c, name, f, check_console);
    if first.is_ok() || !c.b.took_hung() {
        return first;
    }
    let why = first.err().map(|e| e.message().unwrap_or("").to_string());
    println!(
        "{name}: the browser stopped answering ({}); starting a new one and running {name} again",
        why.unwrap_or_default().lines().next().unwrap_or("")
    );
    let took =
        c.b.restart(&format!("{}index.html", c.http))
            .map_err(|e| Failed::from(format!("restarting the browser: {e}")))?;
    println!(
        "{name}: a new browser opened its first page in {:.1} s",
        took.as_secs_f64()
    );
    attempt(c, name, f, check_console)
}

fn attempt(c: &Ctx, name: &str, f: TestFn, check_console: bool) -> Result<(), Failed> {
    // What earlier tests left in the log is theirs.
    c.b.console().map_err(Failed::from)?;
    let result = f(c);
    let shot = c.b.screenshot(name);
    let console = if check_console {
        c.b.console()
    } else {
        Ok(vec![])
    };
    result.map_err(|e| Failed::from(format!("{e}\n(screenshot: {})", shown(&shot))))?;
    let severe: Vec<String> = console
        .map_err(Failed::from)?
        .into_iter()
        .filter(|l| l.level == "SEVERE")
        .map(|l| l.message)
        .collect();
    if !severe.is_empty() {
        return Err(Failed::from(format!("console errors: {severe:?}")));
    }
    shot.map(|_| ()).map_err(Failed::from)
}

fn shown(r: &Result<PathBuf, String>) -> String {
    match r {
        Ok(p) => p.display().to_string(),
        Err(e) => e.clone(),
    }
}

fn setup(shots: PathBuf) -> Result<Ctx, Unavailable> {
    let broken = |e: String| Unavailable::Broken(e);
    let t0 = std::time::Instant::now();
    // Build the site first: a broken site should fail before a browser starts.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sizes.json"),
    )
    .map_err(|e| broken(format!("sizes fixture: {e}")))?;
    let sizes: Sizes = segql_docs::sizes::parse(&text, segql_syntax::FileId(0))
        .map_err(|d| broken(d.message.clone()))?;
    let site = support::example_site(Some(&sizes));
    let pages: Vec<String> = site
        .files
        .keys()
        .filter(|p| p.ends_with(".html"))
        .cloned()
        .collect();
    let items = pages.len() - 2; // all but the index and the lineage page
    let dir = tempfile::tempdir().map_err(|e| broken(format!("temp dir: {e}")))?;
    site.write(dir.path()).map_err(|e| broken(e.to_string()))?;
    let server = Running::start(site, 0).map_err(|e| broken(e.to_string()))?;
    let built = t0.elapsed();
    let b = Browser::start(shots)?;
    // The first page of a new browser may take long on a cold machine: not in a test.
    let first = b
        .first_page(&format!("{}index.html", server.url()))
        .map_err(broken)?;
    Ok(Ctx {
        timings: (built, t0.elapsed() - built - first, first),
        b,
        http: server.url(),
        dir,
        pages,
        items,
        _server: server,
    })
}
