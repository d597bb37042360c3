//! How values print: results and globals are reported as JS's `String()` prints them, so
//! the V8 runner passes JS's own text through and the wasmtime reference formats its
//! values the same way.

/// Formats a float the way JS `String(n)` does: shortest round-trip digits, in plain
/// notation from 1e-6 up to 1e21 and in exponent notation (`1e-7`, `1.5e+21`) outside.
pub(crate) fn js_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e21 || x.abs() < 1e-6 {
        let s = format!("{x:e}");
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        }
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::js_number;

    #[test]
    fn floats_print_like_js() {
        assert_eq!(js_number(1.0), "1");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(0.5), "0.5");
        assert_eq!(js_number(4.736183456157674e20), "473618345615767400000");
        assert_eq!(js_number(-1.0517584831833629e21), "-1.0517584831833629e+21");
        assert_eq!(js_number(1e-7), "1e-7");
        assert_eq!(js_number(f64::from(0.1f32)), "0.10000000149011612");
    }
}
