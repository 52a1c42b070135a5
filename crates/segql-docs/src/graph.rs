//! The lineage graph as SVG: relations → actions → traits → segments → reports, splits
//! and priority lists, laid out left to right.
//!
//! Positions come from layout-rs (a Sugiyama-style layered layout in pure Rust, MIT);
//! the SVG is written here, through its `RenderBackend` trait, so that every node is a
//! link to its page with the classes and data attributes the page's script uses to pan,
//! zoom and highlight. layout-rs's edge-crossing optimizer grows quickly with the graph
//! (1 s at 200 nodes, 7 s at 500), so it runs only up to [`OPTIMIZE_UP_TO`] nodes;
//! without it, layout takes 0.5 s at 1,000 nodes and 3.5 s at 2,000. Past
//! [`LAYOUT_UP_TO`] nodes the graph is laid out in plain columns by depth (linear time).

use crate::html::escape;
use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;
use std::collections::HashMap;
use std::fmt::Write;

pub const OPTIMIZE_UP_TO: usize = 150;
pub const LAYOUT_UP_TO: usize = 1500;

/// A node: its id (`segment:paying`), kind class, label, page and tooltip.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub class: &'static str,
    pub kind: String,
    pub label: String,
    pub href: String,
    pub title: String,
}

/// How the graph was laid out, for the page to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Layered,
    LayeredUnoptimized,
    Columns,
}

pub struct Svg {
    pub svg: String,
    pub method: Method,
}

const FONT: f64 = 13.0;
const CHAR_W: f64 = 7.4;
const MAX_LABEL: usize = 36;

fn label_text(label: &str) -> String {
    if label.chars().count() > MAX_LABEL {
        let cut: String = label.chars().take(MAX_LABEL - 1).collect();
        format!("{cut}…")
    } else {
        label.to_string()
    }
}

fn node_size(n: &Node) -> Point {
    let chars = label_text(&n.label).chars().count().max(n.kind.len());
    Point::new(chars as f64 * CHAR_W + 28.0, 44.0)
}

/// Lays out and draws the graph. `edges` go from what is read to what reads it.
pub fn render(nodes: &[Node], edges: &[(usize, usize)]) -> Svg {
    if nodes.is_empty() {
        return Svg {
            svg: "<svg id=\"lineage\" class=\"lineage\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\"><g id=\"viewport\"></g></svg>".to_string(),
            method: Method::Layered,
        };
    }
    if nodes.len() <= LAYOUT_UP_TO {
        let optimize = nodes.len() <= OPTIMIZE_UP_TO;
        // layout-rs asserts on what it does not expect; a panic there must not take the
        // whole site down, so it falls back to columns.
        let laid = std::panic::catch_unwind(|| layered(nodes, edges, optimize));
        if let Ok(Some(svg)) = laid {
            return Svg {
                svg,
                method: if optimize {
                    Method::Layered
                } else {
                    Method::LayeredUnoptimized
                },
            };
        }
    }
    Svg {
        svg: columns(nodes, edges),
        method: Method::Columns,
    }
}

fn layered(nodes: &[Node], edges: &[(usize, usize)], optimize: bool) -> Option<String> {
    let dir = Orientation::LeftToRight;
    let mut vg = VisualGraph::new(dir);
    let handles: Vec<_> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let shape = ShapeKind::new_box(&n.label);
            let e = Element::create_with_properties(
                shape,
                StyleAttr::simple(),
                dir,
                node_size(n),
                i.to_string(),
            );
            vg.add_node(e)
        })
        .collect();
    for (i, (a, b)) in edges.iter().enumerate() {
        let mut arrow = Arrow::simple("");
        arrow.properties = Some(format!("{a} {b} {i}"));
        vg.add_edge(arrow, handles[*a], handles[*b]);
    }
    let mut w = Writer::default();
    vg.do_it(false, !optimize, false, &mut w);
    if w.boxes.len() != nodes.len() {
        return None;
    }
    Some(w.finish(nodes))
}

/// Collects what layout-rs draws: node boxes and edge paths.
struct Writer {
    boxes: HashMap<usize, (Point, Point)>,
    paths: Vec<(usize, usize, String)>,
    max: Point,
}

impl Default for Writer {
    fn default() -> Self {
        Writer {
            boxes: HashMap::new(),
            paths: Vec::new(),
            max: Point::zero(),
        }
    }
}

impl Writer {
    fn grow(&mut self, p: Point) {
        self.max.x = self.max.x.max(p.x);
        self.max.y = self.max.y.max(p.y);
    }

    fn finish(self, nodes: &[Node]) -> String {
        let mut out = String::new();
        let (w, h) = (self.max.x + 20.0, self.max.y + 20.0);
        let _ = write!(
            out,
            "<svg id=\"lineage\" class=\"lineage\" viewBox=\"0 0 {w:.0} {h:.0}\" data-width=\"{w:.0}\" data-height=\"{h:.0}\" xmlns=\"http://www.w3.org/2000/svg\">{DEFS}<g id=\"viewport\"><g class=\"edges\">"
        );
        for (a, b, d) in &self.paths {
            edge(&mut out, nodes, *a, *b, d);
        }
        out.push_str("</g><g class=\"nodes\">");
        let mut ids: Vec<_> = self.boxes.keys().copied().collect();
        ids.sort_unstable();
        for i in ids {
            let (xy, size) = self.boxes[&i];
            node(&mut out, &nodes[i], xy, size);
        }
        out.push_str("</g></g></svg>");
        out
    }
}

const DEFS: &str = "<defs><marker id=\"arrowhead\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><polygon points=\"0 0, 10 4, 0 8\"/></marker></defs>";

fn edge(out: &mut String, nodes: &[Node], a: usize, b: usize, d: &str) {
    let _ = write!(
        out,
        "<path class=\"edge\" data-from=\"{}\" data-to=\"{}\" d=\"{d}\" marker-end=\"url(#arrowhead)\"/>",
        escape(&nodes[a].id),
        escape(&nodes[b].id)
    );
}

fn node(out: &mut String, n: &Node, xy: Point, size: Point) {
    let _ = write!(
        out,
        "<a class=\"node {}\" href=\"{}\" data-id=\"{}\" data-name=\"{}\"><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\"/><text class=\"kind\" x=\"{:.1}\" y=\"{:.1}\">{}</text><text class=\"label\" x=\"{:.1}\" y=\"{:.1}\">{}</text></a>",
        n.class,
        escape(&n.href),
        escape(&n.id),
        escape(&n.label),
        escape(&n.title),
        xy.x,
        xy.y,
        size.x,
        size.y,
        xy.x + 10.0,
        xy.y + 15.0,
        escape(&n.kind),
        xy.x + 10.0,
        xy.y + 15.0 + FONT + 3.0,
        escape(&label_text(&n.label)),
    );
}

impl RenderBackend for Writer {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        if let Some(i) = properties.and_then(|p| p.parse::<usize>().ok()) {
            self.grow(xy.add(size));
            self.boxes.insert(i, (xy, size));
        }
    }

    fn draw_line(
        &mut self,
        _start: Point,
        _stop: Point,
        _look: &StyleAttr,
        _properties: Option<String>,
    ) {
    }

    fn draw_circle(
        &mut self,
        _xy: Point,
        _size: Point,
        _look: &StyleAttr,
        _properties: Option<String>,
    ) {
    }

    fn draw_text(&mut self, _xy: Point, _text: &str, _look: &StyleAttr) {}

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        _head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        let Some(props) = properties else { return };
        let ends: Vec<usize> = props.split(' ').filter_map(|s| s.parse().ok()).collect();
        let [a, b, _] = ends[..] else { return };
        if path.len() < 2 {
            return;
        }
        for p in path {
            self.grow(p.0);
            self.grow(p.1);
        }
        // A cubic Bézier from the first point's exit vector, then smooth segments.
        let mut d = format!(
            "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
            path[0].0.x,
            path[0].0.y,
            path[0].1.x,
            path[0].1.y,
            path[1].0.x,
            path[1].0.y,
            path[1].1.x,
            path[1].1.y
        );
        for p in &path[2..] {
            let _ = write!(d, " S {:.1} {:.1}, {:.1} {:.1}", p.0.x, p.0.y, p.1.x, p.1.y);
        }
        self.paths.push((a, b, d));
    }

    fn create_clip(&mut self, _xy: Point, _size: Point, _rounded_px: usize) -> ClipHandle {
        0
    }
}

/// Columns by depth (the longest path from a node without inputs), each column in the
/// order of the nodes; curves between the boxes' sides. Linear in nodes and edges.
fn columns(nodes: &[Node], edges: &[(usize, usize)]) -> String {
    let n = nodes.len();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        preds[b].push(a);
    }
    // Depth by relaxation in topological order (Kahn); a node in a cycle (never
    // expected: the checker refuses cycles) keeps depth 0.
    let mut indeg = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        indeg[b] += 1;
        succ[a].push(b);
    }
    let mut depth = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    while let Some(i) = queue.pop() {
        for &s in &succ[i] {
            depth[s] = depth[s].max(depth[i] + 1);
            indeg[s] -= 1;
            if indeg[s] == 0 {
                queue.push(s);
            }
        }
    }
    let mut col_width: Vec<f64> = Vec::new();
    let mut rows: Vec<usize> = Vec::new();
    let mut place = vec![(0usize, 0usize); n];
    for (i, node) in nodes.iter().enumerate() {
        let d = depth[i];
        if col_width.len() <= d {
            col_width.resize(d + 1, 0.0);
            rows.resize(d + 1, 0);
        }
        col_width[d] = col_width[d].max(node_size(node).x);
        place[i] = (d, rows[d]);
        rows[d] += 1;
    }
    let mut col_x = Vec::with_capacity(col_width.len());
    let mut x = 20.0;
    for w in &col_width {
        col_x.push(x);
        x += w + 80.0;
    }
    let pos = |i: usize| {
        let (c, r) = place[i];
        Point::new(col_x[c], 20.0 + r as f64 * 60.0)
    };
    let mut w = Writer::default();
    for (i, node) in nodes.iter().enumerate() {
        let size = node_size(node);
        let xy = pos(i);
        w.grow(xy.add(size));
        w.boxes.insert(i, (xy, size));
    }
    for &(a, b) in edges {
        let (pa, sa) = (pos(a), node_size(&nodes[a]));
        let pb = pos(b);
        let start = Point::new(pa.x + sa.x, pa.y + sa.y / 2.0);
        let end = Point::new(pb.x, pb.y + 22.0);
        let mid = (start.x + end.x) / 2.0;
        let d = format!(
            "M {:.1} {:.1} C {mid:.1} {:.1}, {mid:.1} {:.1}, {:.1} {:.1}",
            start.x, start.y, start.y, end.y, end.x, end.y
        );
        w.paths.push((a, b, d));
    }
    w.finish(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(n: usize) -> Vec<Node> {
        (0..n)
            .map(|i| Node {
                id: format!("segment:s{i}"),
                class: "segment",
                kind: "segment".to_string(),
                label: format!("s{i}"),
                href: format!("segment/s{i}.html"),
                title: String::new(),
            })
            .collect()
    }

    #[test]
    fn every_node_and_edge_is_drawn_by_each_method() {
        let ns = nodes(6);
        let edges = vec![(0, 2), (1, 2), (2, 3), (0, 4), (4, 5), (3, 5)];
        let layered = render(&ns, &edges);
        assert_eq!(layered.method, Method::Layered);
        let cols = columns(&ns, &edges);
        for svg in [&layered.svg, &cols] {
            assert_eq!(svg.matches("<a class=\"node").count(), 6, "{svg}");
            assert_eq!(svg.matches("<path class=\"edge\"").count(), 6, "{svg}");
            assert!(svg.contains("data-from=\"segment:s4\" data-to=\"segment:s5\""));
        }
    }

    #[test]
    fn columns_follow_depth() {
        let ns = nodes(3);
        let svg = columns(&ns, &[(0, 1), (1, 2)]);
        let x_of = |id: &str| -> f64 {
            let at = svg.find(&format!("data-id=\"{id}\"")).expect("node");
            let rest = &svg[at..];
            let x = rest.find("x=\"").expect("x") + 3;
            rest[x..]
                .split('"')
                .next()
                .expect("x value")
                .parse()
                .expect("number")
        };
        assert!(x_of("segment:s0") < x_of("segment:s1"));
        assert!(x_of("segment:s1") < x_of("segment:s2"));
    }

    #[test]
    fn long_labels_are_cut_and_names_escaped() {
        let mut ns = nodes(1);
        ns[0].label = format!("<b>{}", "x".repeat(80));
        let svg = render(&ns, &[]).svg;
        assert!(svg.contains("&lt;b&gt;"), "{svg}");
        assert!(!svg.contains("<b>"));
        assert!(svg.contains('…'));
    }
}
