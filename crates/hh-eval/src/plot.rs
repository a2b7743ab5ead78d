//! Figures for papers: heatmap panels on one colour scale (plasma, one shared colorbar) and line
//! plots, each written as PNG (print resolution) and SVG, all in the style of [`crate::style`].
//! Text uses the bundled DejaVu Sans (no system fonts).

use anyhow::Context;
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::element::BitMapElement;
use plotters::prelude::*;
use plotters::style::FontStyle;
pub use plotters::style::RGBColor;
use std::path::Path;

use crate::style::{self, font};
use std::sync::Once;

const FONT: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
        if plotters::style::register_font(FONT, FontStyle::Normal, bytes).is_err() {
            panic!("bundled font is valid");
        }
    });
}

/// matplotlib's plasma colormap sampled at 33 points (linear in between).
const PLASMA: [[u8; 3]; 33] = [
    [13, 8, 135],
    [34, 6, 144],
    [49, 5, 151],
    [63, 4, 156],
    [76, 2, 161],
    [89, 1, 165],
    [102, 0, 167],
    [114, 1, 168],
    [126, 3, 168],
    [138, 9, 165],
    [149, 17, 161],
    [160, 26, 156],
    [170, 35, 149],
    [179, 44, 142],
    [188, 53, 135],
    [196, 62, 127],
    [204, 71, 120],
    [211, 81, 113],
    [218, 90, 106],
    [224, 99, 99],
    [230, 108, 92],
    [235, 118, 85],
    [240, 128, 78],
    [245, 139, 71],
    [248, 149, 64],
    [251, 161, 57],
    [253, 172, 51],
    [254, 184, 44],
    [253, 197, 39],
    [252, 210, 37],
    [248, 223, 37],
    [244, 237, 39],
    [240, 249, 33],
];

/// Plasma colour of `v` ∈ [0, 1].
pub fn plasma(v: f64) -> RGBColor {
    let s = v.clamp(0.0, 1.0) * 32.0;
    let i = (s.floor() as usize).min(31);
    let w = s - i as f64;
    let mix =
        |c: usize| ((1.0 - w) * PLASMA[i][c] as f64 + w * PLASMA[i + 1][c] as f64).round() as u8;
    RGBColor(mix(0), mix(1), mix(2))
}

/// One heatmap: `data[t_i, x_j]` on a uniform grid over the extent (rows t upward, columns x).
pub struct Panel {
    pub title: String,
    pub data: Array2<f64>,
}

/// `(x_min, x_max, t_min, t_max)` of the panels.
pub type Extent = (f64, f64, f64, f64);

/// Bilinear sample of `data` at fractional (row, column).
fn sample(data: &Array2<f64>, r: f64, c: f64) -> f64 {
    let (nr, nc) = data.dim();
    let (r, c) = (r.clamp(0.0, (nr - 1) as f64), c.clamp(0.0, (nc - 1) as f64));
    let (i, j) = (
        (r.floor() as usize).min(nr - 2),
        (c.floor() as usize).min(nc - 2),
    );
    let (u, v) = (r - i as f64, c - j as f64);
    (1.0 - u) * ((1.0 - v) * data[[i, j]] + v * data[[i, j + 1]])
        + u * ((1.0 - v) * data[[i + 1, j]] + v * data[[i + 1, j + 1]])
}

/// Writes `stem.png` and `stem.svg`: panels in a grid of at most `columns` (and at most three) a
/// row, one shared colour scale `scale = (min, max)` with one colorbar labelled `label`.
pub fn heatmaps(
    stem: &Path,
    title: &str,
    panels: &[Panel],
    columns: usize,
    extent: Extent,
    scale: (f64, f64),
    label: &str,
) -> anyhow::Result<()> {
    register_font();
    let (rows, columns) = style::grid(panels.len(), columns);
    let size = |k: f64| {
        (
            (k * ((380 * columns + 130) as f64).max(style::text_width(title, font::TITLE) + 40.0))
                as u32,
            (k * (320 * rows + 60) as f64) as u32,
        )
    };
    let png = stem.with_extension("png");
    let heat = Heatmaps {
        title,
        panels,
        columns,
        extent,
        scale,
        label,
    };
    heat.draw(
        BitMapBackend::new(&png, size(style::PNG_SCALE)).into_drawing_area(),
        style::PNG_SCALE,
    )
    .with_context(|| format!("drawing {}", png.display()))?;
    let svg = stem.with_extension("svg");
    heat.draw(SVGBackend::new(&svg, size(1.0)).into_drawing_area(), 1.0)
        .with_context(|| format!("drawing {}", svg.display()))
}

/// What [`heatmaps`] draws.
struct Heatmaps<'a> {
    title: &'a str,
    panels: &'a [Panel],
    columns: usize,
    extent: Extent,
    scale: (f64, f64),
    label: &'a str,
}

impl Heatmaps<'_> {
    /// Draws on `root`, every length `k` times the SVG's.
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>, k: f64) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("{e:?}");
        let px = |v: f64| (k * v).round() as u32;
        let (x0, x1, t0, t1) = self.extent;
        let (lo, hi) = self.scale;
        root.fill(&WHITE).map_err(err)?;
        let root = root
            .margin(px(8.0), 0, 0, 0)
            .titled(self.title, (FONT, k * font::TITLE))
            .map_err(err)?;
        let (w, _) = root.dim_in_pixel();
        let (grid, bar) = root.split_horizontally(w - px(120.0));
        let rows = self.panels.len().div_ceil(self.columns);
        let span = if hi > lo { hi - lo } else { 1.0 };
        for (area, panel) in grid
            .split_evenly((rows, self.columns))
            .iter()
            .zip(self.panels)
        {
            let mut chart = ChartBuilder::on(area)
                .caption(&panel.title, (FONT, k * font::PANEL_TITLE))
                .margin(px(10.0))
                .x_label_area_size(px(46.0))
                .y_label_area_size(px(62.0))
                .build_cartesian_2d(x0..x1, t0..t1)
                .map_err(err)?;
            let (pw, ph) = chart.plotting_area().dim_in_pixel();
            let (nr, nc) = panel.data.dim();
            let mut buf = Vec::with_capacity((pw * ph * 3) as usize);
            for py in 0..ph {
                let r = (1.0 - (py as f64 + 0.5) / ph as f64) * (nr - 1) as f64;
                for px in 0..pw {
                    let c = (px as f64 + 0.5) / pw as f64 * (nc - 1) as f64;
                    let RGBColor(a, b, d) = plasma((sample(&panel.data, r, c) - lo) / span);
                    buf.extend_from_slice(&[a, b, d]);
                }
            }
            let image =
                BitMapElement::with_owned_buffer((x0, t1), (pw, ph), buf).context("bitmap size")?;
            chart.draw_series(std::iter::once(image)).map_err(err)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc("x")
                .y_desc("t")
                .x_labels(5)
                .y_labels(5)
                .x_label_formatter(&|v| format!("{v:.1}"))
                .y_label_formatter(&|v| format!("{v:.1}"))
                .label_style((FONT, k * font::TICK))
                .axis_desc_style((FONT, k * font::AXIS_LABEL))
                .draw()
                .map_err(err)?;
        }
        // the colorbar
        let mut cb = ChartBuilder::on(&bar.margin(px(40.0), px(40.0), px(10.0), px(10.0)))
            .right_y_label_area_size(px(64.0))
            .set_label_area_size(LabelAreaPosition::Top, px(16.0))
            .caption(self.label, (FONT, k * font::AXIS_LABEL))
            .build_cartesian_2d(0.0..1.0, lo..hi.max(lo + 1e-12))
            .map_err(err)?;
        let (pw, ph) = cb.plotting_area().dim_in_pixel();
        let mut buf = Vec::with_capacity((pw * ph * 3) as usize);
        for py in 0..ph {
            let RGBColor(a, b, d) = plasma(1.0 - (py as f64 + 0.5) / ph as f64);
            for _ in 0..pw {
                buf.extend_from_slice(&[a, b, d]);
            }
        }
        let image =
            BitMapElement::with_owned_buffer((0.0, hi), (pw, ph), buf).context("bitmap size")?;
        cb.draw_series(std::iter::once(image)).map_err(err)?;
        cb.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&|v| style::tick(*v, hi - lo))
            .label_style((FONT, k * font::TICK))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
        Ok(())
    }
}

/// A curve of a line plot. Its colour comes from the figure's style ([`style::colours`]): one
/// per distinct label; an unlabelled curve shares the colour of the labelled one before it.
pub struct Series {
    /// Legend entry (empty: none; the curve is the partner of the labelled one before it).
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// A reference (FD, exact: dashed) rather than an approximation (solid).
    pub dashed: bool,
}

impl Series {
    /// Row `row` of `grid` (rows t, columns x) against the columns' `x`: a profile `u(t, ·)`.
    pub fn profile(
        x: &ndarray::Array1<f64>,
        grid: &Array2<f64>,
        row: usize,
        label: String,
        dashed: bool,
    ) -> Self {
        Self {
            label,
            points: x.iter().zip(grid.row(row)).map(|(&x, &v)| (x, v)).collect(),
            dashed,
        }
    }
}

/// One panel of line plots.
pub struct LinePanel {
    pub title: String,
    pub series: Vec<Series>,
}

/// Writes `stem.png` and `stem.svg`: line-plot panels, at most three a row, with a common y
/// range and one legend below them.
pub fn lines(
    stem: &Path,
    title: &str,
    panels: &[LinePanel],
    x_label: &str,
    y_label: &str,
    log_y: bool,
) -> anyhow::Result<()> {
    register_font();
    let figure = Lines::new(title, panels, x_label, y_label, log_y);
    let (rows, columns) = style::grid(panels.len(), style::MAX_COLUMNS);
    let width = ((400 * columns) as f64)
        .max(640.0)
        .max(style::text_width(title, font::TITLE) + 40.0);
    let legend_rows = figure.legend_rows(width);
    let size = |k: f64| {
        (
            (k * width) as u32,
            (k * (340.0 * rows as f64 + 50.0 + 30.0 * legend_rows as f64)) as u32,
        )
    };
    let png = stem.with_extension("png");
    figure
        .draw(
            BitMapBackend::new(&png, size(style::PNG_SCALE)).into_drawing_area(),
            style::PNG_SCALE,
            legend_rows,
        )
        .with_context(|| format!("drawing {}", png.display()))?;
    let svg = stem.with_extension("svg");
    figure
        .draw(
            SVGBackend::new(&svg, size(1.0)).into_drawing_area(),
            1.0,
            legend_rows,
        )
        .with_context(|| format!("drawing {}", svg.display()))
}

/// A linear axis over `[lo, hi]` with its ticks at exactly `ticks` (plotters chooses its own
/// otherwise; a log axis needs them at powers of ten). plotters' `WithKeyPoints` does the same
/// but loses the default tick formatting the mesh needs.
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (v - self.lo) / (self.hi - self.lo);
        limit.0 + ((limit.1 - limit.0) as f64 * fraction + 1e-3).floor() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A legend entry: a label, its colour and whether its curves are dashed.
struct Entry {
    label: String,
    colour: RGBColor,
    dashed: bool,
}

/// What [`lines`] draws, with the colours and legend entries of the whole figure.
struct Lines<'a> {
    title: &'a str,
    panels: &'a [LinePanel],
    x_label: &'a str,
    y_label: &'a str,
    log_y: bool,
    /// Per panel, per series.
    colours: Vec<Vec<RGBColor>>,
    legend: Vec<Entry>,
}

impl<'a> Lines<'a> {
    fn new(
        title: &'a str,
        panels: &'a [LinePanel],
        x_label: &'a str,
        y_label: &'a str,
        log_y: bool,
    ) -> Self {
        let flat = style::colours(
            panels
                .iter()
                .flat_map(|p| p.series.iter().map(|s| s.label.as_str())),
        );
        let mut colours = Vec::new();
        let mut next = flat.into_iter();
        for p in panels {
            let own = next.by_ref().take(p.series.len());
            colours.push(
                p.series
                    .iter()
                    .zip(own)
                    .map(|(s, c)| {
                        if s.label.is_empty() && s.dashed {
                            style::darker(c)
                        } else {
                            c
                        }
                    })
                    .collect(),
            );
        }
        let mut legend: Vec<Entry> = Vec::new();
        let mut partners = false;
        for (p, cs) in panels.iter().zip(&colours) {
            for (s, &colour) in p.series.iter().zip(cs) {
                if s.label.is_empty() {
                    partners = true;
                } else if !legend.iter().any(|e| e.label == s.label) {
                    legend.push(Entry {
                        label: s.label.clone(),
                        colour,
                        dashed: s.dashed,
                    });
                }
            }
        }
        // Partners share a colour: the legend says which line style is which.
        let has = |dashed: bool| {
            panels
                .iter()
                .flat_map(|p| &p.series)
                .any(|s| s.dashed == dashed)
        };
        if partners && has(true) && has(false) {
            for (label, dashed) in [
                ("approximation (solid)", false),
                ("reference (dashed)", true),
            ] {
                legend.push(Entry {
                    label: label.into(),
                    colour: BLACK,
                    dashed,
                });
            }
        }
        Self {
            title,
            panels,
            x_label,
            y_label,
            log_y,
            colours,
            legend,
        }
    }

    /// Width of a legend entry at the SVG's size: sample, gap, text, spacing.
    fn entry_width(e: &Entry) -> f64 {
        36.0 + 8.0 + style::text_width(&e.label, font::LEGEND) + 28.0
    }

    /// Rows the legend needs across `width` (SVG pixels).
    fn legend_rows(&self, width: f64) -> usize {
        let (mut rows, mut x) = (usize::from(!self.legend.is_empty()), 20.0);
        for e in &self.legend {
            let w = Self::entry_width(e);
            if x + w > width - 20.0 && x > 20.0 {
                rows += 1;
                x = 20.0;
            }
            x += w;
        }
        rows
    }

    /// The y range of every panel (in `log10 y` on a log axis).
    fn y_range(&self) -> (f64, f64, f64, f64) {
        let log_y = self.log_y;
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in self
            .panels
            .iter()
            .flat_map(|p| p.series.iter().flat_map(|s| s.points.iter()))
            .filter(|(_, y)| y.is_finite() && (!log_y || *y > 0.0))
        {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, 1e-3, 1.0);
        }
        if log_y {
            // 5 % of a decade around the data
            let (lo, hi) = (y0.log10() - 0.05, y1.log10() + 0.05);
            (x0, x1, lo, hi.max(lo + 0.2))
        } else {
            let pad = 0.05 * (y1 - y0).max(1e-12);
            (x0, x1, y0 - pad, y1 + pad)
        }
    }

    /// Draws on `root`, every length `k` times the SVG's.
    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, Shift>,
        k: f64,
        legend_rows: usize,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("{e:?}");
        let px = |v: f64| (k * v).round() as u32;
        let log_y = self.log_y;
        root.fill(&WHITE).map_err(err)?;
        let root = root
            .margin(px(8.0), 0, 0, 0)
            .titled(self.title, (FONT, k * font::TITLE))
            .map_err(err)?;
        let (_, h) = root.dim_in_pixel();
        let (plots, legend) = root.split_vertically(h - px(30.0 * legend_rows as f64 + 6.0));
        let (x0, x1, lo, hi) = self.y_range();
        let (rows, columns) = style::grid(self.panels.len(), style::MAX_COLUMNS);
        let width = k * style::LINE_WIDTH;
        let (dash, gap) = (px(style::DASH.0), px(style::DASH.1));
        for ((area, panel), colours) in plots
            .split_evenly((rows, columns))
            .iter()
            .zip(self.panels)
            .zip(&self.colours)
        {
            let mut builder = ChartBuilder::on(area);
            builder
                .caption(&panel.title, (FONT, k * font::PANEL_TITLE))
                .margin(px(10.0))
                .margin_right(px(18.0))
                .x_label_area_size(px(48.0))
                .y_label_area_size(px(76.0));
            let log_label = |v: &f64| style::power_of_ten(*v);
            let linear_label = |v: &f64| style::tick(*v, hi - lo);
            let ticks = if log_y {
                style::log_ticks(lo, hi)
            } else {
                style::linear_ticks(lo, hi, 7)
            };
            let mut chart = builder
                .build_cartesian_2d(x0..x1, Ticked { lo, hi, ticks })
                .map_err(err)?;
            let x_label = |v: &f64| style::tick(*v, x1 - x0);
            let mut mesh = chart.configure_mesh();
            mesh.light_line_style(RGBColor(235, 235, 235))
                .x_labels(6)
                .x_label_formatter(&x_label)
                .x_desc(self.x_label)
                .y_desc(self.y_label)
                .label_style((FONT, k * font::TICK))
                .axis_desc_style((FONT, k * font::AXIS_LABEL));
            if log_y {
                mesh.y_label_formatter(&log_label);
            } else {
                mesh.y_label_formatter(&linear_label);
            }
            mesh.draw().map_err(err)?;
            // References last, so that their dashes stay visible over an approximation that
            // matches them.
            let mut order: Vec<(&Series, RGBColor)> =
                panel.series.iter().zip(colours.iter().copied()).collect();
            order.sort_by_key(|(s, _)| s.dashed);
            for (s, colour) in order {
                let w = if s.dashed && s.label.is_empty() {
                    k * style::PARTNER_WIDTH
                } else {
                    width
                };
                let line = ShapeStyle::from(&colour).stroke_width(w.round().max(1.0) as u32);
                let pts = s
                    .points
                    .iter()
                    .copied()
                    .filter(|(_, y)| y.is_finite() && (!log_y || *y > 0.0))
                    .map(|(x, y)| (x, if log_y { y.log10() } else { y }));
                if s.dashed {
                    chart
                        .draw_series(DashedLineSeries::new(pts, dash, gap, line))
                        .map_err(err)?;
                } else if k > 1.0 {
                    // plotters' bitmap backend joins a thick polyline with unbounded miters,
                    // which shoot out of the axes where a noisy curve turns back: in the PNG a
                    // curve is drawn segment by segment, with round joins.
                    let pts: Vec<(f64, f64)> = pts.collect();
                    chart
                        .draw_series(
                            pts.windows(2)
                                .map(|w| PathElement::new(vec![w[0], w[1]], line)),
                        )
                        .map_err(err)?;
                    let dot = ShapeStyle::from(&colour).filled();
                    let radius = (width / 2.0).round() as u32;
                    chart
                        .draw_series(pts.iter().map(|&p| Circle::new(p, radius, dot)))
                        .map_err(err)?;
                } else {
                    chart.draw_series(LineSeries::new(pts, line)).map_err(err)?;
                }
            }
        }
        self.draw_legend(&legend, k)?;
        root.present().map_err(err)?;
        Ok(())
    }

    /// The figure's legend, in rows below the panels.
    fn draw_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        k: f64,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("{e:?}");
        let px = |v: f64| (k * v).round() as i32;
        let (w, _) = area.dim_in_pixel();
        let width = w as f64 / k;
        let (mut x, mut y) = (20.0, 14.0);
        for e in &self.legend {
            let ew = Self::entry_width(e);
            if x + ew > width - 20.0 && x > 20.0 {
                (x, y) = (20.0, y + 30.0);
            }
            let line =
                ShapeStyle::from(&e.colour).stroke_width((k * style::LINE_WIDTH).round() as u32);
            let segments: Vec<(f64, f64)> = if e.dashed {
                vec![(0.0, 9.0), (15.0, 24.0), (30.0, 36.0)]
            } else {
                vec![(0.0, 36.0)]
            };
            for (a, b) in segments {
                area.draw(&PathElement::new(
                    vec![(px(x + a), px(y)), (px(x + b), px(y))],
                    line,
                ))
                .map_err(err)?;
            }
            area.draw(&Text::new(
                e.label.clone(),
                (px(x + 44.0), px(y - 0.6 * font::LEGEND)),
                (FONT, k * font::LEGEND),
            ))
            .map_err(err)?;
            x += ew;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plasma_ends_match_matplotlib() {
        assert_eq!(plasma(0.0), RGBColor(13, 8, 135));
        assert_eq!(plasma(1.0), RGBColor(240, 249, 33));
    }

    #[test]
    fn writes_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let data = Array2::from_shape_fn((16, 16), |(i, j)| (i * j) as f64);
        let panels = vec![Panel {
            title: "a = 0.1".into(),
            data,
        }];
        heatmaps(
            &dir.path().join("h"),
            "test",
            &panels,
            1,
            (0.0, 3.0, 0.0, 1.0),
            (0.0, 225.0),
            "u",
        )
        .unwrap();
        let series = vec![Series {
            label: "loss".into(),
            points: vec![(0.0, 1.0), (1.0, 0.1)],
            dashed: false,
        }];
        lines(
            &dir.path().join("l"),
            "test",
            &[LinePanel {
                title: "p".into(),
                series,
            }],
            "step",
            "loss",
            true,
        )
        .unwrap();
        for f in ["h.png", "h.svg", "l.png", "l.svg"] {
            assert!(
                std::fs::metadata(dir.path().join(f)).unwrap().len() > 1000,
                "{f}"
            );
        }
    }
}
