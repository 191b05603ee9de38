//! Inline SVG charts drawn in Rust: grouped bars (runs), strips of bars with their own scale
//! (throttling over time) and horizontal bars (queue, funnel). Every label is escaped; sizes
//! are fixed so the page lays out without scripts or external assets.

use std::fmt::Write as _;

use super::escape::escape;

/// One series: a name, a colour and one value per column.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    /// The legend name (also the `data-series` attribute of its bars).
    pub name: &'a str,
    /// A CSS colour.
    pub color: &'a str,
    /// One value per column.
    pub values: Vec<f64>,
}

const WIDTH: f64 = 960.0;
const LEFT: f64 = 40.0;

/// Grouped vertical bars: one group per label, one bar per series, one shared scale.
pub fn grouped_bars(title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let (height, top, bottom) = (220.0, 24.0, 30.0);
    let plot = height - top - bottom;
    let max = max_of(series.iter().flat_map(|s| s.values.iter().copied()));
    let group = (WIDTH - LEFT) / labels.len().max(1) as f64;
    let bar = (group * 0.8 / series.len().max(1) as f64).min(24.0);
    let mut out = open(title, height);
    legend(&mut out, series);
    axis(&mut out, top, plot, max);
    for (col, label) in labels.iter().enumerate() {
        let x0 = LEFT + col as f64 * group + group * 0.1;
        for (i, s) in series.iter().enumerate() {
            let v = s.values.get(col).copied().unwrap_or(0.0);
            let h = v / max * plot;
            let _ = write!(
                out,
                r#"<rect class="bar" data-series="{name}" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{color}"><title>{label}: {v} {name}</title></rect>"#,
                name = escape(s.name),
                x = x0 + i as f64 * bar,
                y = top + plot - h,
                color = escape(s.color),
                label = escape(label),
            );
        }
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="11" text-anchor="middle">{label}</text>"#,
            x = x0 + bar * series.len() as f64 / 2.0,
            y = height - 10.0,
            label = escape(label),
        );
    }
    out.push_str("</svg>");
    out
}

/// One strip of bars per series, each on its own scale (values of very different sizes).
pub fn strips(title: &str, series: &[Series<'_>]) -> String {
    let (strip, gap) = (56.0, 18.0);
    let height = series.len() as f64 * (strip + gap) + 8.0;
    let mut out = open(title, height);
    for (row, s) in series.iter().enumerate() {
        let top = row as f64 * (strip + gap) + gap;
        let max = max_of(s.values.iter().copied());
        let width = (WIDTH - LEFT) / s.values.len().max(1) as f64;
        let _ = write!(
            out,
            r##"<text x="0" y="{y:.1}" font-size="11">{name} (max {max})</text><line x1="{LEFT}" x2="{WIDTH}" y1="{base:.1}" y2="{base:.1}" stroke="#999"/>"##,
            y = top - 4.0,
            name = escape(s.name),
            base = top + strip,
        );
        for (i, v) in s.values.iter().enumerate() {
            let h = v / max * strip;
            let _ = write!(
                out,
                r#"<rect class="bar" data-series="{name}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{color}"><title>{v}</title></rect>"#,
                name = escape(s.name),
                x = LEFT + i as f64 * width,
                y = top + strip - h,
                w = (width - 1.0).max(1.0),
                color = escape(s.color),
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per row, on one scale, with the value written after the bar.
pub fn hbars(title: &str, rows: &[(&str, u64, &str)]) -> String {
    let row_height = 26.0;
    let height = rows.len() as f64 * row_height + 8.0;
    let label_width = 150.0;
    let max = max_of(rows.iter().map(|r| r.1 as f64));
    let span = WIDTH - label_width - 80.0;
    let mut out = open(title, height);
    for (i, (label, value, color)) in rows.iter().enumerate() {
        let y = i as f64 * row_height + 4.0;
        let w = *value as f64 / max * span;
        let _ = write!(
            out,
            r#"<text x="0" y="{ty:.1}" font-size="13">{label}</text><rect class="bar" data-series="{label}" x="{label_width}" y="{y:.1}" width="{w:.1}" height="18" fill="{color}"/><text x="{vx:.1}" y="{ty:.1}" font-size="13">{value}</text>"#,
            ty = y + 14.0,
            label = escape(label),
            color = escape(color),
            vx = label_width + w + 6.0,
        );
    }
    out.push_str("</svg>");
    out
}

fn open(title: &str, height: f64) -> String {
    format!(
        r#"<svg class="chart" role="img" aria-label="{t}" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = escape(title)
    )
}

fn legend(out: &mut String, series: &[Series<'_>]) {
    for (i, s) in series.iter().enumerate() {
        let x = LEFT + i as f64 * 110.0;
        let _ = write!(
            out,
            r#"<rect x="{x}" y="4" width="10" height="10" fill="{color}"/><text x="{tx}" y="13" font-size="11">{name}</text>"#,
            color = escape(s.color),
            tx = x + 14.0,
            name = escape(s.name),
        );
    }
}

fn axis(out: &mut String, top: f64, plot: f64, max: f64) {
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{WIDTH}" y1="{base:.1}" y2="{base:.1}" stroke="#999"/><text x="{tx}" y="{ty:.1}" font-size="11" text-anchor="end">{max}</text><text x="{tx}" y="{base:.1}" font-size="11" text-anchor="end">0</text>"##,
        base = top + plot,
        tx = LEFT - 4.0,
        ty = top + 10.0,
    );
}

/// The largest value, at least 1 (so an all-zero chart draws flat bars, not NaN).
fn max_of(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| v.is_finite()).fold(1.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_value_and_labels_escaped() {
        let series = [
            Series {
                name: "invites",
                color: "#1f77b4",
                values: vec![3.0, 0.0],
            },
            Series {
                name: "errors",
                color: "#d62728",
                values: vec![1.0, 2.0],
            },
        ];
        let svg = grouped_bars("runs", &["<1>".into(), "2".into()], &series);
        assert_eq!(svg.matches(r#"class="bar""#).count(), 4);
        assert!(svg.contains("&lt;1&gt;") && !svg.contains("<1>"));
        assert!(!svg.contains("NaN"));
        let empty = strips(
            "throttle",
            &[Series {
                name: "429s",
                color: "red",
                values: vec![0.0],
            }],
        );
        assert!(!empty.contains("NaN"), "{empty}");
    }
}
