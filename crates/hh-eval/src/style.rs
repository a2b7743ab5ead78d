//! The one figure style of every report, so that a figure can go into a paper as it is:
//!
//! - colours from a colour-blind-safe palette (Okabe–Ito without its yellow, then Paul Tol's
//!   muted wine, olive and indigo), one per distinct legend entry of a figure, so no two entries
//!   share a colour; a series without a label is the partner of the labelled series before it
//!   (the FD reference of a PINN curve at the same time) and shares its hue, darker and thinner,
//!   the line style telling them apart;
//! - approximations (PINN) solid, references (FD, exact) dashed and drawn on top, both 2.5 px
//!   wide at the SVG's size with 9 px dashes, so the dash shows at the stored size;
//! - legends outside the axes: one legend for the whole figure, below its panels;
//! - log axes ticked at powers of ten written `10⁻³` (and at 2 and 5 times them, or every
//!   multiple, when the data span less than two decades);
//! - at most three panels a row;
//! - PNG at [`PNG_SCALE`] times the SVG's size (print resolution: a three-panel figure is about
//!   3000 px wide), every length and font scaled with it.

pub use plotters::style::RGBColor;
use std::collections::HashMap;

/// The palette, in the order colours are handed out.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(136, 34, 85),   // wine
    RGBColor(153, 153, 51),  // olive
    RGBColor(51, 34, 136),   // indigo
];

/// Line width of every curve (SVG pixels).
pub const LINE_WIDTH: f64 = 2.5;
/// Line width of a reference drawn over its partner approximation (SVG pixels): thinner, so the
/// partner shows on both sides of it.
pub const PARTNER_WIDTH: f64 = 1.6;
/// Dash length and gap of a reference curve (SVG pixels).
pub const DASH: (f64, f64) = (9.0, 6.0);
/// Most panels in one row.
pub const MAX_COLUMNS: usize = 3;
/// PNG pixels per SVG pixel.
pub const PNG_SCALE: f64 = 2.5;

/// Font sizes (SVG pixels).
pub mod font {
    pub const TITLE: f64 = 20.0;
    pub const PANEL_TITLE: f64 = 16.0;
    pub const AXIS_LABEL: f64 = 15.0;
    pub const TICK: f64 = 13.0;
    pub const LEGEND: f64 = 14.0;
}

/// The width of `text` in pixels at font size `size` (DejaVu Sans averages about 0.62 em a
/// character): what a title or a legend entry needs so that nothing is cut off.
pub fn text_width(text: &str, size: f64) -> f64 {
    0.62 * size * text.chars().count() as f64
}

/// `(rows, columns)` of a grid of `n` panels with at most [`MAX_COLUMNS`] a row and at most
/// `columns` (six panels: 2 × 3).
pub fn grid(n: usize, columns: usize) -> (usize, usize) {
    let columns = columns.clamp(1, MAX_COLUMNS).min(n.max(1));
    (n.div_ceil(columns).max(1), columns)
}

/// One colour per distinct label, in order of first appearance (`labels` may repeat a label, in
/// several panels); an empty label takes the colour of the label before it.
pub fn colours<'a>(labels: impl IntoIterator<Item = &'a str>) -> Vec<RGBColor> {
    let mut given: HashMap<&str, RGBColor> = HashMap::new();
    let mut last = PALETTE[0];
    labels
        .into_iter()
        .map(|label| {
            if !label.is_empty() {
                let next = PALETTE[given.len() % PALETTE.len()];
                last = *given.entry(label).or_insert(next);
            }
            last
        })
        .collect()
}

/// The colour of a reference drawn over its partner approximation (same hue, 70 % of its
/// brightness), so that its dashes show over a curve it matches and its hue still names it.
pub fn darker(RGBColor(r, g, b): RGBColor) -> RGBColor {
    let f = |c: u8| (f64::from(c) * 0.7).round() as u8;
    RGBColor(f(r), f(g), f(b))
}

/// `v` written with Unicode superscripts (`-3` → `⁻³`).
fn superscript(v: i32) -> String {
    v.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d as usize - '0' as usize],
        })
        .collect()
}

/// The label of the log-axis tick at `log10 y = v`: `10⁻³`, or `2×10⁻³` between decades.
pub fn power_of_ten(v: f64) -> String {
    let e = v.floor();
    let mantissa = 10f64.powf(v - e);
    let exp = superscript(e as i32);
    if (mantissa - 1.0).abs() < 1e-6 {
        format!("10{exp}")
    } else {
        format!("{}×10{exp}", mantissa.round())
    }
}

/// The ticks of a log axis over `[lo, hi]` (in `log10 y`): every decade (thinned to at most
/// eight), with 2 and 5 times each when fewer than two decades are inside, and every multiple
/// when even those give fewer than three ticks.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let decades: Vec<f64> = ((lo.ceil() as i32)..=(hi.floor() as i32))
        .map(f64::from)
        .collect();
    if decades.len() < 2 {
        let within = |multiples: &[f64]| -> Vec<f64> {
            ((lo.floor() as i32)..=(hi.ceil() as i32))
                .flat_map(|e| multiples.iter().map(move |m| f64::from(e) + m.log10()))
                .filter(|v| *v >= lo - 1e-12 && *v <= hi + 1e-12)
                .collect()
        };
        let ticks = within(&[1.0, 2.0, 5.0]);
        return if ticks.len() >= 3 {
            ticks
        } else {
            within(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
        };
    }
    let step = decades.len().div_ceil(8);
    decades.into_iter().step_by(step).collect()
}

/// About `n` ticks of a linear axis over `[lo, hi]`: the multiples inside it of a step of 1, 2,
/// 2.5 or 5 times a power of ten.
pub fn linear_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let raw = (hi - lo).abs().max(f64::MIN_POSITIVE) / n.max(1) as f64;
    let base = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * base)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * base);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// A linear-axis tick label with as many digits as a scale of width `span` needs (scientific
/// below 0.05).
pub fn tick(v: f64, span: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if span < 0.05 {
        format!("{v:.1e}")
    } else if span >= 50.0 {
        format!("{v:.0}")
    } else if span >= 5.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_panels_are_two_rows_of_three() {
        assert_eq!(grid(6, 6), (2, 3));
        assert_eq!(grid(2, 2), (1, 2));
        assert_eq!(grid(4, 3), (2, 3));
        assert_eq!(grid(1, 3), (1, 1));
    }

    #[test]
    fn distinct_labels_get_distinct_colours_and_partners_share() {
        let c = colours(["u⁻ (FD)", "u⁺ (FD)", "steer max", "", "u⁻ (FD)"]);
        assert_ne!(c[0], c[1]);
        assert_ne!(c[0], c[2]);
        assert_ne!(c[1], c[2]);
        assert_eq!(
            c[3], c[2],
            "an unlabelled partner takes the colour before it"
        );
        assert_eq!(
            c[4], c[0],
            "the same label in another panel keeps its colour"
        );
        let many: Vec<String> = (0..PALETTE.len()).map(|i| format!("s{i}")).collect();
        let c = colours(many.iter().map(String::as_str));
        for i in 0..c.len() {
            for j in 0..i {
                assert_ne!(c[i], c[j]);
            }
        }
    }

    #[test]
    fn linear_ticks_are_round_multiples() {
        assert_eq!(
            linear_ticks(-0.05, 1.05, 6),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(linear_ticks(0.0, 10.0, 4), vec![0.0, 2.5, 5.0, 7.5, 10.0]);
    }

    #[test]
    fn log_ticks_are_powers_of_ten() {
        assert_eq!(log_ticks(-5.2, -0.9), vec![-5.0, -4.0, -3.0, -2.0, -1.0]);
        assert_eq!(power_of_ten(-3.0), "10⁻³");
        assert_eq!(power_of_ten(0.0), "10⁰");
        assert_eq!(power_of_ten(12.0), "10¹²");
        assert_eq!(power_of_ten(-3.0 + 2f64.log10()), "2×10⁻³");
        // one decade inside: 1, 2, 5 times
        let t: Vec<String> = log_ticks(-2.9, -1.8)
            .into_iter()
            .map(power_of_ten)
            .collect();
        assert_eq!(t, ["2×10⁻³", "5×10⁻³", "10⁻²"]);
        // within a decade: every multiple
        let t: Vec<String> = log_ticks(-0.8, -0.3)
            .into_iter()
            .map(power_of_ten)
            .collect();
        assert_eq!(t, ["2×10⁻¹", "3×10⁻¹", "4×10⁻¹", "5×10⁻¹"]);
        assert!(log_ticks(-30.0, 0.0).len() <= 8);
    }
}
