//! Figures for papers: heatmap panels on one colour scale (plasma, one shared colorbar) and line
//! plots, each written as PNG and SVG. Text uses the bundled DejaVu Sans (no system fonts).

use anyhow::Context;
use ndarray::Array2;
use plotters::coord::Shift;
use plotters::element::BitMapElement;
use plotters::prelude::*;
use plotters::style::FontStyle;
pub use plotters::style::RGBColor;
use std::path::Path;
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

/// A tick label with as many digits as a scale of width `span` needs (scientific below 0.01).
fn tick(v: f64, span: f64) -> String {
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

/// Writes `stem.png` and `stem.svg`: panels in a grid of `columns`, one shared colour scale
/// `scale = (min, max)` with one colorbar labelled `label`.
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
    let rows = panels.len().div_ceil(columns);
    let size = (360 * columns as u32 + 130, 300 * rows as u32 + 60);
    let png = stem.with_extension("png");
    draw_heatmaps(
        BitMapBackend::new(&png, size).into_drawing_area(),
        title,
        panels,
        columns,
        extent,
        scale,
        label,
    )
    .with_context(|| format!("drawing {}", png.display()))?;
    let svg = stem.with_extension("svg");
    draw_heatmaps(
        SVGBackend::new(&svg, size).into_drawing_area(),
        title,
        panels,
        columns,
        extent,
        scale,
        label,
    )
    .with_context(|| format!("drawing {}", svg.display()))
}

fn draw_heatmaps<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    panels: &[Panel],
    columns: usize,
    (x0, x1, t0, t1): Extent,
    (lo, hi): (f64, f64),
    label: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let root = root
        .titled(title, (FONT, 22))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (w, _) = root.dim_in_pixel();
    let (grid, bar) = root.split_horizontally(w - 110);
    let rows = panels.len().div_ceil(columns);
    let span = if hi > lo { hi - lo } else { 1.0 };
    for (area, panel) in grid.split_evenly((rows, columns)).iter().zip(panels) {
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, (FONT, 18))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(40)
            .build_cartesian_2d(x0..x1, t0..t1)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
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
        chart
            .draw_series(std::iter::once(image))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("x")
            .y_desc("t")
            .x_labels(5)
            .y_labels(5)
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    // the colorbar
    let mut cb = ChartBuilder::on(&bar.margin(40, 40, 10, 10))
        .right_y_label_area_size(58)
        .caption(label, (FONT, 15))
        .build_cartesian_2d(0.0..1.0, lo..hi.max(lo + 1e-12))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
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
    cb.draw_series(std::iter::once(image))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_label_formatter(&|v| tick(*v, hi - lo))
        .label_style((FONT, 13))
        .draw()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(())
}

/// A curve of a line plot.
pub struct Series {
    /// Legend entry (empty: none).
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub dashed: bool,
}

impl Series {
    /// Row `row` of `grid` (rows t, columns x) against the columns' `x`: a profile `u(t, ·)`.
    pub fn profile(
        x: &ndarray::Array1<f64>,
        grid: &Array2<f64>,
        row: usize,
        label: String,
        color: RGBColor,
        dashed: bool,
    ) -> Self {
        Self {
            label,
            points: x.iter().zip(grid.row(row)).map(|(&x, &v)| (x, v)).collect(),
            color,
            dashed,
        }
    }
}

/// One panel of line plots.
pub struct LinePanel {
    pub title: String,
    pub series: Vec<Series>,
}

/// Writes `stem.png` and `stem.svg`: line-plot panels side by side with a common y range.
pub fn lines(
    stem: &Path,
    title: &str,
    panels: &[LinePanel],
    x_label: &str,
    y_label: &str,
    log_y: bool,
) -> anyhow::Result<()> {
    register_font();
    let size = ((380 * panels.len() as u32 + 40).max(640), 380);
    let png = stem.with_extension("png");
    draw_lines(
        BitMapBackend::new(&png, size).into_drawing_area(),
        title,
        panels,
        x_label,
        y_label,
        log_y,
    )
    .with_context(|| format!("drawing {}", png.display()))?;
    let svg = stem.with_extension("svg");
    draw_lines(
        SVGBackend::new(&svg, size).into_drawing_area(),
        title,
        panels,
        x_label,
        y_label,
        log_y,
    )
    .with_context(|| format!("drawing {}", svg.display()))
}

/// Distinct colours for curves (colour-blind friendly, Okabe–Ito).
pub const COLORS: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

fn draw_lines<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    panels: &[LinePanel],
    x_label: &str,
    y_label: &str,
    log_y: bool,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("{e:?}");
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, (FONT, 20)).map_err(err)?;
    let all = || {
        panels
            .iter()
            .flat_map(|p| p.series.iter().flat_map(|s| s.points.iter()))
    };
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all().filter(|(_, y)| y.is_finite() && (!log_y || *y > 0.0)) {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 1e-3, 1.0);
    }
    if log_y {
        // 5 % of a decade around the data
        (y0, y1) = (y0 / 10f64.powf(0.05), (y1 * 10f64.powf(0.05)).max(y0 * 1.5));
    }
    let pad = if log_y {
        0.0
    } else {
        0.05 * (y1 - y0).max(1e-12)
    };
    for (area, panel) in root.split_evenly((1, panels.len())).iter().zip(panels) {
        let mut builder = ChartBuilder::on(area);
        builder
            .caption(&panel.title, (FONT, 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(56);
        macro_rules! body {
            ($chart:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .light_line_style(RGBColor(235, 235, 235))
                    .x_labels(6)
                    .x_label_formatter(&|v| tick(*v, x1 - x0))
                    .y_labels(12)
                    .y_label_formatter(&|v| {
                        if log_y {
                            format!("{:.1e}", 10f64.powf(*v))
                        } else {
                            tick(*v, y1 - y0)
                        }
                    })
                    .x_desc(x_label)
                    .y_desc(y_label)
                    .label_style((FONT, 12))
                    .axis_desc_style((FONT, 14))
                    .draw()
                    .map_err(err)?;
                for s in &panel.series {
                    let style = ShapeStyle::from(&s.color).stroke_width(2);
                    let pts = s
                        .points
                        .iter()
                        .copied()
                        .filter(|(_, y)| y.is_finite() && (!log_y || *y > 0.0))
                        .map(|(x, y)| (x, if log_y { y.log10() } else { y }));
                    let anno = if s.dashed {
                        chart
                            .draw_series(DashedLineSeries::new(pts, 6, 4, style))
                            .map_err(err)?
                    } else {
                        chart
                            .draw_series(LineSeries::new(pts, style))
                            .map_err(err)?
                    };
                    // An empty label keeps the curve out of the legend.
                    if !s.label.is_empty() {
                        anno.label(&s.label).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], style)
                        });
                    }
                }
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(200, 200, 200))
                    .label_font((FONT, 12))
                    .position(SeriesLabelPosition::UpperRight)
                    .draw()
                    .map_err(err)?;
            }};
        }
        // A log axis is drawn as log₁₀ y on a linear axis, labelled with 10^v: plotters' own log
        // scale labels only whole decades, which leaves a curve within one decade unlabelled.
        let (lo, hi) = if log_y {
            (y0.log10(), y1.log10())
        } else {
            (y0 - pad, y1 + pad)
        };
        body!(builder.build_cartesian_2d(x0..x1, lo..hi).map_err(err)?);
    }
    root.present().map_err(err)?;
    Ok(())
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
            color: COLORS[0],
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
