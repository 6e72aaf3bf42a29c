//! The one number format of the library and the command: the shortest text that reads
//! back to the same `f64`, positional for ordinary magnitudes and with an exponent for
//! very large or very small ones (Rust's own `{:?}` rule: below 1e-4 or from 1e16 up), so
//! `1e308` is not printed as 309 digits nor `1e-12` as `0.000000000001`. JSON keeps the
//! `.0` of a whole number (`2.0`), so a float reads as a float; tables drop it (`2`).

/// The shortest text that parses back to exactly `x`, as tables and formulas print it:
/// `2`, `-0.001`, `1e308`, `-2.5e-12`. NaN and infinities are `NaN`, `inf`, `-inf`.
///
/// ```
/// use chainrule::number::shortest;
/// assert_eq!(shortest(2.0), "2");
/// assert_eq!(shortest(-0.001), "-0.001");
/// assert_eq!(shortest(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(shortest(1e308), "1e308");
/// assert_eq!(shortest(1e-12), "1e-12");
/// assert_eq!(shortest(123456789012345680.0), "1.2345678901234568e17");
/// assert_eq!(shortest(f64::NEG_INFINITY), "-inf");
/// for x in [1e308, 1e-12, 0.1, -5e-324, 1.0 / 3.0, 2.0] {
///     assert_eq!(shortest(x).parse::<f64>().unwrap(), x);
/// }
/// ```
pub fn shortest(x: f64) -> String {
    let s = json(x).unwrap_or_else(|| format!("{x}"));
    match s.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => s,
    }
}

/// `x` as a JSON number in the same format, keeping `.0` on whole numbers (`2.0`,
/// `1e308`); `None` for NaN and infinities, which JSON cannot hold.
///
/// ```
/// use chainrule::number::json;
/// assert_eq!(json(2.0).as_deref(), Some("2.0"));
/// assert_eq!(json(1e-12).as_deref(), Some("1e-12"));
/// assert_eq!(json(f64::NAN), None);
/// ```
pub fn json(x: f64) -> Option<String> {
    // Rust's Debug form is the shortest round-trip digits, with an exponent outside
    // [1e-4, 1e16).
    x.is_finite().then(|| format!("{x:?}"))
}

/// `x` with `digits` decimals (`-3.0000`), or with an exponent (`1.0000e308`) where it is
/// not 0 and its magnitude is outside the same [1e-4, 1e16) range, so a huge value is not
/// hundreds of digits and a tiny one does not read as zero. For the tables that print a
/// fixed number of decimals, as the notebook's `%.4f` does.
///
/// ```
/// use chainrule::number::decimals;
/// assert_eq!(decimals(0.0235, 6), "0.023500");
/// assert_eq!(decimals(1.3391e27, 6), "1.339100e27");
/// assert_eq!(decimals(-2.5e-12, 4), "-2.5000e-12");
/// assert_eq!(decimals(f64::NAN, 6), "NaN");
/// ```
pub fn decimals(x: f64, digits: usize) -> String {
    let mut s = String::with_capacity(24);
    decimals_into(&mut s, x, digits);
    s
}

/// [`decimals`], appended to `s`.
pub(crate) fn decimals_into(s: &mut String, x: f64, digits: usize) {
    if x != 0.0 && x.is_finite() && !(1e-4..1e16).contains(&x.abs()) {
        use std::fmt::Write;
        let _ = write!(s, "{x:.digits$e}");
    } else {
        fixed_into(s, x, digits);
    }
}

/// `x` with `digits` decimals, exactly as `format!("{x:.digits$}")` writes it, faster:
/// where `x·10^digits` is far enough from a rounding tie that the product's own rounding
/// cannot change the result, the digits are an integer's. A drawing or an explanation
/// writes thousands of such numbers, and the general path (exact decimal expansion, with
/// big-number arithmetic for hard cases) was a tenth of the page's time in WebAssembly.
///
/// ```text
/// fixed(2.0, 4) == "2.0000";  fixed(-0.00001, 4) == "-0.0000";  fixed(0.125, 2) == "0.12"
/// ```
pub(crate) fn fixed(x: f64, digits: usize) -> String {
    let mut s = String::with_capacity(24);
    fixed_into(&mut s, x, digits);
    s
}

/// [`fixed`], appended to `s` (a drawing's cell writes its `data ` and the number into
/// one string, with no string of its own for the number).
pub(crate) fn fixed_into(s: &mut String, x: f64, digits: usize) {
    const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    // Below 2^40 the product's error is under 2^-13, so a fraction at least 1e-3 away
    // from one half rounds to the integer the exact product rounds to.
    let scaled = POW10.get(digits).map(|p| x.abs() * p);
    match scaled {
        Some(y) if y < (1u64 << 40) as f64 && (y - y.floor() - 0.5).abs() > 1e-3 => {
            let r = y.round() as u64;
            let p = 10u64.pow(digits as u32);
            if x.is_sign_negative() {
                s.push('-');
            }
            push_digits(s, r / p, 0);
            if digits > 0 {
                s.push('.');
                push_digits(s, r % p, digits);
            }
        }
        _ => {
            use std::fmt::Write;
            let _ = write!(s, "{x:.digits$}");
        }
    }
}

/// Appends `n` in decimal to `s`, with leading zeros up to `width` digits (at most 20).
pub(crate) fn push_digits(s: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut k = digits.len();
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let k = k.min(digits.len().saturating_sub(width));
    s.push_str(std::str::from_utf8(&digits[k..]).unwrap_or_default());
}

/// How a text of the library writes its values and grads: as the notebook prints them
/// (four decimals, `%.4f`, the drawings' rule too) or exactly ([`shortest`], the rule of
/// the command's tables and JSON). Explanations and checks take the notebook's by default.
///
/// ```
/// use chainrule::number::Numbers;
/// assert_eq!(Numbers::Notebook.format(0.1 + 0.2), "0.3000");
/// assert_eq!(Numbers::Shortest.format(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(Numbers::Shortest.format(6.0), "6");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Numbers {
    /// Four decimals (`-3.0000`), `0.0000` for either zero, an exponent beyond 1e16 and
    /// below 1e-4 (`2.5000e-12`), so a tiny value does not read as zero.
    #[default]
    Notebook,
    /// The shortest text that reads back to the same number: [`shortest`].
    Shortest,
}

impl Numbers {
    /// `x` written in this style.
    pub fn format(self, x: f64) -> String {
        match self {
            Numbers::Notebook => {
                let mut s = String::with_capacity(24);
                self.push(&mut s, x);
                s
            }
            Numbers::Shortest => shortest(x),
        }
    }

    /// [`Numbers::format`], appended to `s`.
    pub(crate) fn push(self, s: &mut String, x: f64) {
        match self {
            Numbers::Notebook if x == 0.0 => s.push_str("0.0000"),
            Numbers::Notebook => decimals_into(s, x, 4),
            Numbers::Shortest => s.push_str(&shortest(x)),
        }
    }
}

/// `x` rounded to `digits` significant digits: a computed number without its rounding
/// noise (a finite difference's slope of `-4.000000000000152` is `-4` to 10 digits).
pub(crate) fn significant(x: f64, digits: usize) -> f64 {
    let d = digits.saturating_sub(1);
    format!("{x:.d$e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::{fixed, Numbers};

    /// A little generator of bits.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn fixed_writes_what_the_formatter_writes() {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let check = |x: f64| {
            for digits in 0..=12 {
                assert_eq!(
                    fixed(x, digits),
                    format!("{x:.digits$}"),
                    "{x:e} to {digits}"
                );
            }
        };
        for x in [
            0.0,
            -0.0,
            2.0,
            -3.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.125,
            0.375,
            1e-5,
            -1e-5,
            0.00005,
            0.00015,
            1.00005,
            4.99995,
            1e11,
            1.1e12,
            123456.78905,
            9.99995,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            check(x);
        }
        for _ in 0..100_000 {
            let bits = next(&mut rng);
            // Ordinary magnitudes, ties on the decimal grid, and any bits at all.
            let x = match bits % 3 {
                0 => (bits >> 11) as f64 / (1u64 << 53) as f64 * 2e4 - 1e4,
                1 => ((bits >> 20) % 2_000_000) as f64 / 1e4 + 0.00005,
                _ => f64::from_bits(bits),
            };
            check(x);
        }
    }

    #[test]
    fn numbers_push_and_format_write_the_notebooks_rule() {
        let mut rng = 0x853c_49e6_748f_ea9bu64;
        let mut xs = vec![
            0.0, -0.0, 1e-4, -1e-4, 9.9999e-5, 1e16, -1e16, 9.99e15, 2.5e-12,
        ];
        xs.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
        ]);
        for _ in 0..100_000 {
            let bits = next(&mut rng);
            xs.push(f64::from_bits(bits));
            xs.push((bits >> 11) as f64 / (1u64 << 53) as f64 * 2e4 - 1e4);
        }
        // The notebook's rule written out with the standard formatter, as a reference:
        // `format` and `push` share one implementation, so neither checks the other.
        let notebook = |x: f64| {
            if x == 0.0 {
                "0.0000".to_string()
            } else if x.is_finite() && !(1e-4..1e16).contains(&x.abs()) {
                format!("{x:.4e}")
            } else {
                format!("{x:.4}")
            }
        };
        for x in xs {
            let mut s = String::from("x = ");
            Numbers::Notebook.push(&mut s, x);
            assert_eq!(s, format!("x = {}", notebook(x)), "{x:e}");
            assert_eq!(Numbers::Notebook.format(x), notebook(x), "{x:e}");
            let mut s = String::from("x = ");
            Numbers::Shortest.push(&mut s, x);
            assert_eq!(s, format!("x = {}", Numbers::Shortest.format(x)), "{x:e}");
        }
    }
}
