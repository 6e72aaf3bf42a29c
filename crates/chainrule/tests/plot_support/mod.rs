//! Reading plots back: the frame, ticks, points and PNG size, for the plot tests.
#![allow(dead_code)]

use roxmltree::{Document, Node};

/// The plot area in pixels and the data range it shows.
#[derive(Debug)]
pub struct Frame {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub log_y: bool,
}

impl Frame {
    /// Whether pixel `(px, py)` is inside the plot area (with a hair of slack for rounding).
    pub fn contains(&self, px: f64, py: f64) -> bool {
        let e = 0.06;
        px >= self.x - e
            && px <= self.x + self.w + e
            && py >= self.y - e
            && py <= self.y + self.h + e
    }

    /// The pixel of data point `(x, y)`.
    pub fn pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let fx = (x - self.x_range.0) / (self.x_range.1 - self.x_range.0);
        let fy = if self.log_y {
            (y.log10() - self.y_range.0.log10()) / (self.y_range.1.log10() - self.y_range.0.log10())
        } else {
            (y - self.y_range.0) / (self.y_range.1 - self.y_range.0)
        };
        (self.x + fx * self.w, self.y + (1.0 - fy) * self.h)
    }

    /// The data point at pixel `(px, py)`.
    pub fn data(&self, px: f64, py: f64) -> (f64, f64) {
        let fx = (px - self.x) / self.w;
        let fy = 1.0 - (py - self.y) / self.h;
        (
            self.x_range.0 + fx * (self.x_range.1 - self.x_range.0),
            self.y_range.0 + fy * (self.y_range.1 - self.y_range.0),
        )
    }
}

pub fn num(n: Node, attr: &str) -> f64 {
    n.attribute(attr)
        .unwrap_or_else(|| panic!("no {attr} on {n:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("{attr} on {n:?}: {e}"))
}

fn pair(n: Node, attr: &str) -> (f64, f64) {
    let v: Vec<f64> = n
        .attribute(attr)
        .unwrap()
        .split(' ')
        .map(|t| t.parse().unwrap())
        .collect();
    (v[0], v[1])
}

pub fn has_class(n: &Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split(' ').any(|c| c == class))
}

pub fn by_class<'a, 'i>(doc: &'a Document<'i>, class: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants().filter(|n| has_class(n, class)).collect()
}

pub fn frame(doc: &Document) -> Frame {
    let f = by_class(doc, "frame");
    assert_eq!(f.len(), 1, "one frame");
    let f = f[0];
    Frame {
        x: num(f, "x"),
        y: num(f, "y"),
        w: num(f, "width"),
        h: num(f, "height"),
        x_range: pair(f, "data-x"),
        y_range: pair(f, "data-y"),
        log_y: f.attribute("data-log-y") == Some("true"),
    }
}

/// The tick labels of class `class` as (x, y, value) in document order.
pub fn ticks(doc: &Document, class: &str) -> Vec<(f64, f64, f64)> {
    by_class(doc, class)
        .into_iter()
        .map(|n| {
            let text = n.text().unwrap();
            let v: f64 = text
                .parse()
                .unwrap_or_else(|e| panic!("tick label {text:?} is not a number: {e}"));
            (num(n, "x"), num(n, "y"), v)
        })
        .collect()
}

/// The text of every element of class `class`, joined.
pub fn texts(doc: &Document, class: &str) -> String {
    by_class(doc, class)
        .iter()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "IHDR first");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}
