//! Axes: nice tick values (steps of 1, 2 or 5 times a power of ten, or powers of ten on a
//! log scale), their labels, and the frame, gridlines and axis titles around a plot area.

use super::{esc, text, INK, MUTED};
use crate::draw::metrics::text_width;
use std::fmt::Write;

pub(crate) const TICK_FONT: f64 = 12.0;
pub(crate) const LABEL_FONT: f64 = 13.0;
const TICK_LEN: f64 = 5.0;

/// One axis: the shown range, where the ticks go and what they say.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub labels: Vec<String>,
    pub log: bool,
}

/// The nice step (1, 2 or 5 times a power of ten) nearest `span / target`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = span / target;
    let p = pow10(raw.log10().floor());
    let f = raw / p;
    let m = if f < 1.5 {
        1.0
    } else if f < 3.0 {
        2.0
    } else if f < 7.0 {
        5.0
    } else {
        10.0
    };
    m * p
}

/// `lo..hi` widened when it is empty (all values equal, or a single one).
pub(crate) fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        return (lo, hi);
    }
    let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
    (lo - pad, hi + pad)
}

/// 10 to the whole power `k`, exactly as the literal `1e{k}` reads.
fn pow10(k: f64) -> f64 {
    format!("1e{}", k as i32).parse().unwrap_or(f64::NAN)
}

impl Axis {
    /// A linear axis covering `lo..=hi`, widened outwards to whole tick steps when
    /// `expand`, so that the first tick is at or below `lo` and the last at or above `hi`.
    pub fn linear(lo: f64, hi: f64, target: f64, expand: bool) -> Axis {
        let (lo, hi) = widen(lo, hi);
        // Half the span and half the target: finite for any finite lo and hi.
        let step = nice_step(hi * 0.5 - lo * 0.5, target * 0.5);
        let eps = 1e-9;
        let (k0, k1) = if expand {
            ((lo / step + eps).floor(), (hi / step - eps).ceil())
        } else {
            ((lo / step - eps).ceil(), (hi / step + eps).floor())
        };
        let (a, b) = if expand {
            (k0 * step, k1 * step)
        } else {
            (lo, hi)
        };
        // Near the ends of the f64 range steps overflow or vanish: just mark the ends.
        if !(a.is_finite() && b.is_finite() && step > 0.0 && (0.0..=100.0).contains(&(k1 - k0))) {
            return Axis::ends(lo, hi);
        }
        let ticks: Vec<f64> = (0..=(k1 - k0) as i64)
            .map(|k| (k0 + k as f64) * step)
            .collect();
        let labels = linear_labels(&ticks, step);
        Axis {
            lo: a,
            hi: b,
            ticks,
            labels,
            log: false,
        }
    }

    /// The same ticks with `fraction` of the span added as empty room at each end, so a
    /// line along the first or last tick (accuracy at 100%) is not hidden by the frame.
    pub fn padded(mut self, fraction: f64) -> Axis {
        let room = (self.hi * 0.5 - self.lo * 0.5) * 2.0 * fraction;
        if !self.log
            && room.is_finite()
            && (self.lo - room).is_finite()
            && (self.hi + room).is_finite()
        {
            self.lo -= room;
            self.hi += room;
        }
        self
    }

    /// An axis with ticks only at its ends, for ranges too extreme for nice steps.
    fn ends(lo: f64, hi: f64) -> Axis {
        let (lo, hi) = (lo.clamp(f64::MIN, f64::MAX), hi.clamp(f64::MIN, f64::MAX));
        let (lo, hi) = if hi > lo { (lo, hi) } else { (-1.0, 1.0) };
        Axis {
            lo,
            hi,
            ticks: vec![lo, hi],
            labels: vec![format!("{lo:.2e}"), format!("{hi:.2e}")],
            log: false,
        }
    }

    /// A log-10 axis covering `lo..=hi` (both positive), widened to whole decades.
    pub fn log(lo: f64, hi: f64) -> Axis {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo / 2.0, hi * 2.0)
        };
        let (mut k0, mut k1) = (lo.log10().floor(), hi.log10().ceil());
        if k1 <= k0 {
            k0 -= 1.0;
            k1 += 1.0;
        }
        let decades = k1 - k0;
        let every = (decades / 8.0).ceil().max(1.0);
        let mut ticks = Vec::new();
        let mut k = k0;
        while k <= k1 + 1e-9 {
            ticks.push(pow10(k));
            if decades <= 2.0 && k < k1 {
                ticks.push(2.0 * pow10(k));
                ticks.push(5.0 * pow10(k));
            }
            k += every;
        }
        // Over at most two decades, end at the nearest 1, 2 or 5 times a power of ten.
        let (mut lo_t, mut hi_t) = (pow10(k0), pow10(k1));
        if decades <= 2.0 {
            lo_t = ticks
                .iter()
                .copied()
                .filter(|&t| t <= lo)
                .fold(lo_t, f64::max);
            hi_t = ticks
                .iter()
                .copied()
                .filter(|&t| t >= hi)
                .fold(hi_t, f64::min);
            ticks.retain(|&t| t >= lo_t && t <= hi_t);
        }
        let labels = ticks.iter().map(|&t| log_label(t)).collect();
        Axis {
            lo: lo_t,
            hi: hi_t,
            ticks,
            labels,
            log: true,
        }
    }

    /// Where `v` falls on the axis, 0 at `lo` and 1 at `hi`.
    pub fn frac(&self, v: f64) -> f64 {
        if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            // In halves, so that a span of nearly the whole f64 range stays finite.
            (v * 0.5 - self.lo * 0.5) / (self.hi * 0.5 - self.lo * 0.5)
        }
    }

    /// The widest tick label, in pixels.
    pub fn label_width(&self) -> f64 {
        self.labels
            .iter()
            .map(|l| text_width(l, TICK_FONT))
            .fold(0.0, f64::max)
    }
}

/// Labels for ticks `step` apart: as many decimals as the step needs, in scientific
/// notation for very large or very small numbers.
fn linear_labels(ticks: &[f64], step: f64) -> Vec<String> {
    let big = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    let step_exp = (step.log10() + 1e-9).floor() as i32;
    if big >= 1e6 || step < 1e-4 {
        let digits = ((big.log10() + 1e-9).floor() as i32 - step_exp).clamp(0, 15) as usize;
        return ticks
            .iter()
            .map(|&t| {
                if t == 0.0 {
                    "0".to_string()
                } else {
                    let s = format!("{t:.digits$e}");
                    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                    let m = if m.contains('.') {
                        m.trim_end_matches('0').trim_end_matches('.')
                    } else {
                        m
                    };
                    format!("{m}e{e}")
                }
            })
            .collect();
    }
    let decimals = (-step_exp).max(0) as usize;
    ticks
        .iter()
        .map(|&t| {
            let s = format!("{t:.decimals$}");
            // "-0.0" reads as a mistake: print zero as zero.
            if s.trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        })
        .collect()
}

/// A log-axis label: plain for 0.001..=10000, scientific beyond.
fn log_label(t: f64) -> String {
    let e = (t.log10() + 1e-9).floor() as i32;
    if (-3..=4).contains(&e) {
        let decimals = (-e).max(0) as usize;
        format!("{t:.decimals$}")
    } else {
        let m = (t / 10f64.powi(e)).round();
        format!("{m}e{e}")
    }
}

/// A plot area in pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Frame {
    /// The pixel position of data point `(x, y)` on axes `xa`, `ya` (y grows upwards).
    pub fn at(&self, xa: &Axis, ya: &Axis, x: f64, y: f64) -> (f64, f64) {
        (
            self.x + xa.frac(x) * self.w,
            self.y + (1.0 - ya.frac(y)) * self.h,
        )
    }
}

/// The room left of a plot area that its y tick labels and y title need.
pub(crate) fn left_margin(ya: &Axis, y_label: &str) -> f64 {
    let title = if y_label.is_empty() {
        0.0
    } else {
        LABEL_FONT + 10.0
    };
    12.0 + title + ya.label_width() + TICK_LEN + 6.0
}

/// The room below a plot area that its x tick labels and x title need.
pub(crate) fn bottom_margin(x_label: &str) -> f64 {
    let title = if x_label.is_empty() {
        0.0
    } else {
        LABEL_FONT + 8.0
    };
    TICK_LEN + 6.0 + TICK_FONT + title + 10.0
}

/// Gridlines at the ticks, in `stroke` colour at `opacity` (draw before the data).
pub(crate) fn grid(s: &mut String, f: &Frame, xa: &Axis, ya: &Axis, stroke: &str, opacity: f64) {
    let _ = write!(
        s,
        r#"<g class="grid" stroke="{stroke}" stroke-opacity="{opacity}" stroke-width="1" shape-rendering="crispEdges">"#
    );
    for &t in &xa.ticks {
        let (x, _) = f.at(xa, ya, t, ya.lo);
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}"/>"#,
            f.y,
            f.y + f.h
        );
    }
    for &t in &ya.ticks {
        let (_, y) = f.at(xa, ya, xa.lo, t);
        let _ = write!(
            s,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/>"#,
            f.x,
            f.x + f.w
        );
    }
    let _ = writeln!(s, "</g>");
}

/// The frame, ticks, tick labels and axis titles (draw after the data). The frame carries
/// the data range it shows as `data-x`/`data-y` = "lo hi", for readers and tests.
pub(crate) fn axes(s: &mut String, f: &Frame, xa: &Axis, ya: &Axis, x_label: &str, y_label: &str) {
    let _ = writeln!(
        s,
        r#"<rect class="frame" x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="none" stroke="{INK}" stroke-width="1" shape-rendering="crispEdges" data-x="{} {}" data-y="{} {}" data-log-y="{}"/>"#,
        f.x, f.y, f.w, f.h, xa.lo, xa.hi, ya.lo, ya.hi, ya.log
    );
    let _ = write!(
        s,
        r#"<g class="ticks" stroke="{INK}" stroke-width="1" shape-rendering="crispEdges">"#
    );
    let bottom = f.y + f.h;
    for &t in &xa.ticks {
        let (x, _) = f.at(xa, ya, t, ya.lo);
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="{bottom:.1}" x2="{x:.1}" y2="{:.1}"/>"#,
            bottom + TICK_LEN
        );
    }
    for &t in &ya.ticks {
        let (_, y) = f.at(xa, ya, xa.lo, t);
        let _ = write!(
            s,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/>"#,
            f.x - TICK_LEN,
            f.x
        );
    }
    let _ = writeln!(s, "</g>");
    for (&t, l) in xa.ticks.iter().zip(&xa.labels) {
        let (x, _) = f.at(xa, ya, t, ya.lo);
        let y = bottom + TICK_LEN + 4.0 + TICK_FONT;
        let _ = writeln!(
            s,
            r#"<text class="tick-x" x="{x:.1}" y="{y:.1}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
            esc(l)
        );
    }
    for (&t, l) in ya.ticks.iter().zip(&ya.labels) {
        let (_, y) = f.at(xa, ya, xa.lo, t);
        let _ = writeln!(
            s,
            r#"<text class="tick-y" x="{:.1}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            f.x - TICK_LEN - 4.0,
            y + TICK_FONT * 0.35,
            esc(l)
        );
    }
    if !x_label.is_empty() {
        let y = bottom + TICK_LEN + 6.0 + TICK_FONT + 6.0 + LABEL_FONT;
        text(
            s,
            f.x + f.w / 2.0,
            y,
            LABEL_FONT,
            "middle",
            "label-x",
            x_label,
        );
    }
    if !y_label.is_empty() {
        let x = f.x - TICK_LEN - 6.0 - ya.label_width() - 10.0;
        let y = f.y + f.h / 2.0;
        let _ = writeln!(
            s,
            r#"<text class="label-y" x="{x:.1}" y="{y:.1}" font-size="{LABEL_FONT}" text-anchor="middle" transform="rotate(-90 {x:.1} {y:.1})">{}</text>"#,
            esc(y_label)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_nice_and_cover_the_range() {
        let a = Axis::linear(0.0, 99.0, 6.0, true);
        assert_eq!(a.ticks, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(a.labels, ["0", "20", "40", "60", "80", "100"]);
        assert_eq!((a.lo, a.hi), (0.0, 100.0));
        let a = Axis::linear(0.087, 1.03, 6.0, true);
        assert_eq!(a.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2"]);
        let a = Axis::linear(-1.55, 2.65, 8.0, false);
        assert_eq!(
            a.labels,
            ["-1.5", "-1.0", "-0.5", "0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]
        );
        assert_eq!((a.lo, a.hi), (-1.55, 2.65));
    }

    #[test]
    fn degenerate_ranges_are_widened() {
        let a = Axis::linear(3.0, 3.0, 6.0, true);
        assert!(a.lo < 3.0 && a.hi > 3.0);
        let a = Axis::linear(0.0, 0.0, 6.0, true);
        assert!(a.lo <= -1.0 && a.hi >= 1.0);
    }

    #[test]
    fn extreme_magnitudes_use_scientific_labels() {
        let a = Axis::linear(0.0, 3e7, 6.0, true);
        assert_eq!(a.labels[1], "5e6");
        let a = Axis::linear(1e-6, 4e-6, 4.0, true);
        assert_eq!(a.labels, ["1e-6", "2e-6", "3e-6", "4e-6"]);
    }

    #[test]
    fn extreme_ranges_give_finite_axes() {
        for (lo, hi) in [
            (-1e308, 1e308),
            (0.0, f64::MAX),
            (f64::MIN, f64::MAX),
            (1e-320, 2e-320),
        ] {
            for expand in [true, false] {
                let a = Axis::linear(lo, hi, 6.0, expand);
                assert!(a.lo.is_finite() && a.hi.is_finite() && a.hi > a.lo, "{a:?}");
                assert!(a.ticks.len() >= 2 && a.ticks.len() <= 101, "{a:?}");
                assert!(a.frac(lo).is_finite() && a.frac(hi).is_finite(), "{a:?}");
            }
        }
        let a = Axis::linear(f64::NEG_INFINITY, 0.0, 6.0, true);
        assert!(a.lo.is_finite());
    }

    #[test]
    fn log_ticks_are_powers_of_ten() {
        let a = Axis::log(0.003, 40.0);
        assert_eq!(a.labels, ["0.001", "0.01", "0.1", "1", "10", "100"]);
        assert!((a.frac(1.0) - 0.6).abs() < 1e-12);
        let a = Axis::log(0.2, 0.9);
        assert_eq!(a.labels, ["0.2", "0.5", "1"]);
        let a = Axis::log(0.078, 0.96);
        assert_eq!(a.labels, ["0.05", "0.1", "0.2", "0.5", "1"]);
        assert_eq!((a.lo, a.hi), (0.05, 1.0));
        let a = Axis::log(1.0, 1.0);
        assert!(a.lo < 1.0 && a.hi > 1.0, "{a:?}");
        let a = Axis::log(1e-9, 1.0);
        assert_eq!(a.labels[0], "1e-9");
    }
}
