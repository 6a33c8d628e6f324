//! Decimal text to `f64` without Rust's float parser.
//!
//! `str::parse::<f64>` brings its Eisel–Lemire power-of-five table and a big-decimal fallback into
//! the wasm engine: about 15 KB of the gzipped module, for the few user-written numbers in prune
//! specs (`lp:P`, a fraction amount). Here the text is checked against exactly the grammar that
//! `str::parse::<f64>` accepts and the digits are converted by the JavaScript engine, which also
//! rounds to the nearest `f64` (ties to even): the same value, and the same strings refused.

/// `x.powf(y)` as JavaScript's `Math.pow` computes it. The page computed its iterative schedule's
/// amount with `Math.pow` before the core did, and Rust's `pow` (libm) differs from V8's in the
/// last place for some arguments (0.89^(1/6), for one): links recorded then replay with the same
/// double this way (tests/node/wasm-api.test.mjs checks every setting the page allows).
pub(crate) fn pow(x: f64, y: f64) -> f64 {
    js_sys::Math::pow(x, y)
}

/// What `s.parse::<f64>().ok()` gives, on wasm.
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let value = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else if is_decimal(body.as_bytes()) {
        js_sys::Number::parse_float(body)
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

/// `digits [. digits?] exp?` or `. digits exp?`, with `exp = (e|E) [+|-] digits`.
fn is_decimal(b: &[u8]) -> bool {
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_end = digits(0);
    let (mut end, mut mantissa_digits) = (int_end, int_end);
    if b.get(end) == Some(&b'.') {
        let frac_end = digits(end + 1);
        mantissa_digits += frac_end - (end + 1);
        end = frac_end;
    }
    if mantissa_digits == 0 {
        return false;
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut from = end + 1;
        if matches!(b.get(from), Some(b'+' | b'-')) {
            from += 1;
        }
        end = digits(from);
        if end == from {
            return false;
        }
    }
    end == b.len()
}
