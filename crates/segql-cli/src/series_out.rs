//! Output of the membership commands: a table, CSV or JSON on stdout or in a file, a
//! sparkline per segment on a terminal, and a chart as SVG (plotters).

use crate::data;
use crate::outfile;
use crate::project::{display_path, Workspace};
use anyhow::{anyhow, bail, Result};
use comfy_table::{presets, Cell};
use std::path::Path;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// An aligned table (and a sparkline per segment for history and backtests).
    #[default]
    Table,
    Csv,
    /// One JSON array of objects, one per row.
    Json,
}

/// Rows of text cells under named columns.
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Table {
    pub fn new(columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Option<String>>) {
        self.rows.push(row);
    }

    pub fn print_table(&self) {
        let mut t = comfy_table::Table::new();
        t.load_style(presets::ASCII_MARKDOWN);
        t.set_header(self.columns.iter().map(Cell::new));
        for r in &self.rows {
            t.add_row(r.iter().map(|c| Cell::new(c.as_deref().unwrap_or(""))));
        }
        if !self.rows.is_empty() {
            outln!("{t}");
        }
    }

    pub fn csv(&self) -> String {
        let mut out = csv_line(self.columns.iter().map(|c| Some(c.as_str())));
        for r in &self.rows {
            out.push_str(&csv_line(r.iter().map(|c| c.as_deref())));
        }
        out
    }

    /// An array of objects, keys in the columns' order; counts as numbers.
    pub fn json(&self) -> String {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                let mut m = serde_json::Map::new();
                for (c, v) in self.columns.iter().zip(r) {
                    let value = match v {
                        None => serde_json::Value::Null,
                        Some(s) if NUMERIC.contains(&c.as_str()) => s
                            .parse::<i64>()
                            .map(serde_json::Value::from)
                            .unwrap_or_else(|_| serde_json::Value::from(s.clone())),
                        Some(s) => serde_json::Value::from(s.clone()),
                    };
                    m.insert(c.clone(), value);
                }
                serde_json::Value::Object(m)
            })
            .collect();
        serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".to_string())
    }
}

/// Columns whose values are counts.
const NUMERIC: &[&str] = &["size", "entered", "left"];

/// One CSV line of `cells` (a NULL as an empty field), quoted where a field needs it
/// (the csv crate's RFC 4180 writer, lines ended by `\n`).
pub fn csv_line<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(cells.map(|c| c.unwrap_or("")))
        .expect("writing CSV to memory cannot fail");
    let bytes = w.into_inner().expect("writing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("UTF-8 cells make UTF-8 CSV")
}

/// Refuses an output file whose extension is none of `exts`, or whose directory is
/// missing, before any work.
pub fn check_output(path: &Path, exts: &[&str]) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !exts.contains(&ext.as_str()) {
        bail!(
            "cannot tell what to write to {}: name it {}",
            display_path(path),
            exts.iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(" or ")
        );
    }
    if path.is_dir() {
        bail!("cannot write {}: it is a directory", display_path(path));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            bail!(
                "cannot write {}: there is no directory {}",
                display_path(path),
                display_path(dir)
            );
        }
    }
    Ok(())
}

/// Writes `text` to `path` through a temporary file renamed over it, never where a
/// source of the project is read.
pub fn write_file(ws: &Workspace, path: &Path, text: &[u8]) -> Result<()> {
    let program = ws.program.as_ref();
    let sources = data::sources(&ws.inputs, program);
    let tmp = outfile::temporary(path);
    for p in [path, tmp.as_path()] {
        data::check_write(
            &ws.map,
            &ws.inputs,
            program,
            &sources,
            p,
            "the output to",
            false,
        )?;
    }
    outfile::remove_stale(path);
    outfile::write_via(&tmp, path, || {
        std::fs::write(&tmp, text).map_err(|e| anyhow!("cannot write {}: {e}", display_path(path)))
    })
}

/// The table on stdout in `format`, or in `output` (CSV or JSON by its extension).
pub fn emit(ws: &Workspace, t: &Table, format: Format, output: Option<&Path>) -> Result<()> {
    if let Some(path) = output {
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let text = if json { t.json() + "\n" } else { t.csv() };
        write_file(ws, path, text.as_bytes())?;
        eprintln!("wrote {}", display_path(path));
        return Ok(());
    }
    match format {
        Format::Table => t.print_table(),
        Format::Csv => out!("{}", t.csv()),
        Format::Json => outln!("{}", t.json()),
    }
    Ok(())
}

/// One segment's sizes over time.
pub struct Line {
    pub segment: String,
    /// (instant in microseconds, size)
    pub points: Vec<(i64, i64)>,
}

/// `▁▂▄█` of the sizes, scaled between their least and greatest.
pub fn sparkline(values: &[i64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (Some(&lo), Some(&hi)) = (values.iter().min(), values.iter().max()) else {
        return String::new();
    };
    values
        .iter()
        .map(|&v| {
            if hi == lo {
                BARS[3]
            } else {
                BARS[((v - lo) * 7 / (hi - lo)) as usize]
            }
        })
        .collect()
}

/// `segment  ▁▂▄█  12 → 40 (min 10, max 41)` per line.
pub fn print_sparklines(lines: &[Line]) {
    let width = lines
        .iter()
        .map(|l| l.segment.chars().count())
        .max()
        .unwrap_or(0);
    for l in lines {
        let sizes: Vec<i64> = l.points.iter().map(|p| p.1).collect();
        let (Some(first), Some(last)) = (sizes.first(), sizes.last()) else {
            continue;
        };
        let lo = sizes.iter().min().copied().unwrap_or(0);
        let hi = sizes.iter().max().copied().unwrap_or(0);
        outln!(
            "{:width$}  {}  {first} → {last} (min {lo}, max {hi})",
            l.segment,
            sparkline(&sizes)
        );
    }
}

/// A line chart of each segment's size over time, as SVG.
pub fn chart_svg(title: &str, lines: &[Line]) -> Result<String> {
    use plotters::prelude::*;
    let mut svg = String::new();
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let (x0, x1) = match (xs.clone().min(), xs.max()) {
        (Some(a), Some(b)) if a < b => (a, b),
        (Some(a), _) => (a - 86_400_000_000, a + 86_400_000_000),
        _ => bail!("nothing to chart: no figures"),
    };
    let y1 = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .max()
        .unwrap_or(0)
        .max(1);
    let e = |e: &dyn std::fmt::Display| anyhow!("drawing the chart: {e}");
    {
        let root = SVGBackend::with_string(&mut svg, (900, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|x| e(&x))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, 0i64..(y1 + y1 / 10 + 1))
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_labels(6)
            .x_label_formatter(&|t| {
                let s = segql_syntax::time::format_timestamp(*t);
                s.get(..10).unwrap_or(&s).to_string()
            })
            .y_desc("members")
            .draw()
            .map_err(|x| e(&x))?;
        for (i, l) in lines.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(
                    l.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|x| e(&x))?
                .label(l.segment.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|x| e(&x))?;
        root.present().map_err(|x| e(&x))?;
    }
    Ok(svg)
}
