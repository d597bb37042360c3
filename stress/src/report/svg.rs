//! Line plots as plain SVG, no dependency: heap high-water and warmup latency against
//! module size (size sweep), RSS over the soak.

use std::fmt::Write;

use super::Summary;

pub(crate) struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

const COLORS: [&str; 6] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

/// Every plot the summary has data for, as (file name, SVG text).
pub fn plots(summary: &Summary) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(sweep) = summary.scenario("size_sweep") {
        let column = |key: &str| -> Vec<(f64, f64)> {
            sweep.rows.iter().filter_map(|r| Some((r.get("module_mb")?.as_f64()?, r.get(key)?.as_f64()?))).collect()
        };
        let heap = vec![
            Series { name: "instantiate peak heap (MiB)".into(), points: column("peak_heap_mib") },
            Series { name: "after bootstrap (MiB)".into(), points: column("bootstrap_heap_mib") },
        ];
        out.push((
            "heap_vs_size.svg".into(),
            plot("Runner heap high-water by module size", "module size (MB)", "MiB", &heap),
        ));
        let latency = vec![
            Series { name: "warmup total (ms)".into(), points: column("total_ms") },
            Series { name: "guest checks (ms)".into(), points: column("guest_checks_ms") },
            Series { name: "compile (ms)".into(), points: column("compile_ms") },
            Series { name: "instantiate (ms)".into(), points: column("instantiate_ms") },
        ];
        out.push((
            "latency_vs_size.svg".into(),
            plot("Warmup latency by module size", "module size (MB)", "ms", &latency),
        ));
    }
    if let Some(soak) = summary.scenario("soak") {
        let column = |key: &str| -> Vec<(f64, f64)> {
            soak.rows.iter().filter_map(|r| Some((r.get("iteration")?.as_f64()?, r.get(key)?.as_f64()?))).collect()
        };
        let rss = vec![
            Series { name: "process RSS (MiB)".into(), points: column("rss_mib") },
            Series { name: "V8 heap at the end of the run (MiB)".into(), points: column("heap_after_mib") },
        ];
        out.push(("soak_rss.svg".into(), plot("RSS over the soak", "iteration", "MiB", &rss)));
    }
    out
}

pub(crate) fn plot(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    // Room below the axis for the labels and a legend row per two series.
    let bottom = 62.0 + 14.0 * series.len().div_ceil(2) as f64;
    let (w, h, left, right, top) = (720.0, 330.0 + bottom, 70.0, 20.0, 40.0);
    let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.points.iter().copied()).collect();
    let x_max = all.iter().map(|p| p.0).fold(0.0_f64, f64::max).max(1e-9);
    let y_max = all.iter().map(|p| p.1).fold(0.0_f64, f64::max).max(1e-9) * 1.1;
    let x = |v: f64| left + v / x_max * (w - left - right);
    let y = |v: f64| h - bottom - v / y_max * (h - top - bottom);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(svg, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = write!(svg, r#"<text x="{}" y="22" font-size="15" text-anchor="middle">{}</text>"#, w / 2.0, escape(title));
    // Axes and ticks.
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="black"/><line x1="{left}" y1="{top}" x2="{left}" y2="{0}" stroke="black"/>"#,
        h - bottom,
        w - right
    );
    for i in 0..=4 {
        let (xv, yv) = (x_max * f64::from(i) / 4.0, y_max * f64::from(i) / 4.0);
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            x(xv),
            h - bottom + 16.0,
            short(xv),
            left - 6.0,
            y(yv) + 4.0,
            short(yv)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (left + w - right) / 2.0,
        h - bottom + 36.0,
        escape(x_label)
    );
    let _ = write!(
        svg,
        r#"<text x="16" y="{:.1}" transform="rotate(-90 16 {:.1})" text-anchor="middle">{}</text>"#,
        (top + h - bottom) / 2.0,
        (top + h - bottom) / 2.0,
        escape(y_label)
    );
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let mut points = s.points.clone();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let path: Vec<String> = points.iter().map(|&(px, py)| format!("{:.1},{:.1}", x(px), y(py))).collect();
        let _ = write!(svg, r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#, path.join(" "));
        for &(px, py) in &points {
            let _ = write!(svg, r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#, x(px), y(py));
        }
        let ly = h - bottom + 54.0 + 14.0 * (i / 2) as f64;
        let lx = left + (i % 2) as f64 * 300.0;
        let _ = write!(
            svg,
            r#"<rect x="{lx:.1}" y="{:.1}" width="10" height="10" fill="{color}"/><text x="{:.1}" y="{ly:.1}">{}</text>"#,
            ly - 9.0,
            lx + 14.0,
            escape(&s.name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn short(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
