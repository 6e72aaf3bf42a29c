//! The hyperbolic tangent of an `f64`, faster than the platform's `f64::tanh` and at
//! least as accurate.
//!
//! `f64::tanh` is the C library's: glibc's (fdlibm's algorithm, through `expm1`) takes
//! about 32 ns in a dependent chain such as `x ← x + 1e-6·tanh(x)` on the machine the
//! benchmarks run on, and is off by up to 2.06 ulp. This one takes 20 ns in that chain
//! (its `exp` is glibc's newer table-driven one) and is off by at most 0.82 ulp:
//!
//! - `|x| < 2⁻²⁷`: `x` itself (`x³/3` is below half an ulp of `x`), so `-0.0` stays `-0.0`.
//! - `|x| < 0.55`: `x + x·(z·R(z))` with `z = x²`, `R` a degree-10 polynomial fitted to
//!   `(tanh x − x)/x³` (`scripts/tanh-reference.py coefficients`), evaluated as
//!   `R(z) = −1/3 + z·S(z)` with `S` in Estrin's scheme, so the leading term is added last.
//! - `0.55 ≤ |x| < 22`: `1 − 2/(e + 1)` with `e = exp(2|x|)`, the rounding of `e + 1` and
//!   of `1 − q` carried exactly (Fast2Sum) and, below `|x| = 1` where `q = 2/(e+1)` is
//!   large enough for its rounding to matter, the division's remainder `2 − q·(e+1)`
//!   computed exactly too (Dekker's product); what is left is `exp`'s own error, scaled
//!   down by `1/sinh(2|x|)`, and the final rounding.
//! - `|x| ≥ 22` and `±∞`: `±1` (`tanh` rounds to 1 from `|x| ≈ 19.06`). NaN gives NaN.
//!
//! Accuracy, measured against mpmath at 160 bits on 5.9·10⁶ inputs (1.5·10⁶ with
//! log-uniform magnitudes 1e-300..40; uniform ones: 10⁶ in [0, 20], 10⁶ in [0.4, 1.3],
//! 5·10⁵ in [0.4, 0.5], 10⁶ in [0.5, 0.56], 5·10⁵ in [0.95, 1.05], 2·10⁵ in [17, 23],
//! 2·10⁵ in [0, 1e-7]; random signs): at most 0.82 ulp (0.8165, at x ≈ −1.0433, where the
//! cheaper division branch starts). glibc 2.36's
//! `tanh` measured the same way is off by up to 2.06 ulp (at x ≈ −0.2541). With the `exp`
//! of Rust's `libm` (fdlibm's, under 1 ulp; what WebAssembly builds use) in place of
//! glibc's: at most 0.84 ulp on the same inputs. The tests below check a table made by
//! `scripts/tanh-reference.py`.

/// The polynomial `R(z)` of the small branch, lowest degree first
/// (`scripts/tanh-reference.py coefficients`).
const R: [f64; 11] = [
    -0.3333333333333333,
    0.13333333333332714,
    -0.053968253967434016,
    0.021869488493666944,
    -0.008863234397814355,
    0.003592110378689024,
    -0.001455661830100716,
    0.0005889360520074057,
    -0.0002346347410887237,
    8.511313685577672e-05,
    -2.060276537636634e-05,
];

/// Veltkamp's split: `hi + lo == a` exactly, each with at most 26 significant bits, so
/// products of the halves are exact.
#[inline(always)]
fn split(a: f64) -> (f64, f64) {
    let c = 134_217_729.0 * a; // 2^27 + 1
    let hi = c - (c - a);
    (hi, a - hi)
}

/// `tanh(x)`, within 0.82 ulp of the exact value (see the module's doc for how that was
/// measured).
#[inline]
pub(crate) fn tanh(x: f64) -> f64 {
    let a = x.abs();
    if a >= 22.0 {
        return 1f64.copysign(x);
    }
    if a < 0.55 {
        if a < 7.450_580_596_923_828e-9 {
            return x;
        }
        let z = x * x;
        let z2 = z * z;
        let z4 = z2 * z2;
        let z8 = z4 * z4;
        let s = (R[1] + R[2] * z)
            + (R[3] + R[4] * z) * z2
            + ((R[5] + R[6] * z) + (R[7] + R[8] * z) * z2) * z4
            + (R[9] + R[10] * z) * z8;
        let r = R[0] + z * s;
        return x + x * (z * r);
    }
    // NaN lands here too: exp(NaN) is NaN, and so is everything after it.
    let e = (2.0 * a).exp();
    let d = e + 1.0;
    let dl = 1.0 - (d - e); // d + dl == e + 1 exactly, as e ≥ 1
    let q = 2.0 / d;
    let s = 1.0 - q;
    let sl = (1.0 - s) - q; // s + sl == 1 - q exactly, as q ≤ 1
                            // qc ≈ q - 2/(e + 1): the division's error and dl's share of the quotient.
    let qc = if a >= 1.0 {
        // q ≤ 0.24: its rounding costs at most 1/8 ulp of the result.
        q * q * 0.5 * dl
    } else {
        let (dh, dlo) = split(d);
        let (qh, qlo) = split(q);
        let p = q * d;
        let perr = ((qh * dh - p) + qlo * dlo) + (qh * dlo + qlo * dh); // q·d == p + perr
        let rem = (2.0 - p) - (perr + q * dl); // 2 - q·(d + dl)
        -rem * (q * 0.5)
    };
    let t = s + (sl + qc);
    t.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::tanh;

    /// The distance from `y` to the exact value `hi + lo` (`hi` correctly rounded), in
    /// ulps of the exact value.
    fn ulps(y: f64, hi: f64, lo: f64) -> f64 {
        if y == hi && lo == 0.0 {
            return 0.0;
        }
        let bits = hi.abs().to_bits();
        let mut e = bits >> 52;
        // Just below a power of two the exact value's ulp is the lower binade's.
        if bits & ((1 << 52) - 1) == 0 && lo != 0.0 && (lo < 0.0) == (hi > 0.0) && e > 1 {
            e -= 1;
        }
        let ulp = match e {
            0 => f64::from_bits(1),
            1..=52 => f64::from_bits(1 << (e - 1)),
            _ => f64::from_bits((e - 52) << 52),
        };
        ((y - hi) - lo).abs() / ulp
    }

    /// Within 1 ulp of the exact value on every input of `tanh_table.txt`: 2,512 inputs
    /// (log-uniform magnitudes 1e-300..40, uniform in [0, 2] and [2, 23], both signs, the
    /// branch boundaries and their neighbours, the worst inputs found while measuring)
    /// with tanh to about 106 bits, from mpmath at 200 bits by
    /// `scripts/tanh-reference.py table`. glibc's `f64::tanh` fails this (1.96 ulp, at x ≈ 0.5428).
    #[test]
    fn within_one_ulp_of_the_exact_value() {
        let table = include_str!("tanh_table.txt");
        let hex = |s: &str| f64::from_bits(u64::from_str_radix(s, 16).unwrap());
        let (mut n, mut worst, mut at) = (0, 0.0f64, 0.0);
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let v: Vec<f64> = line.split_whitespace().map(hex).collect();
            let (x, hi, lo) = (v[0], v[1], v[2]);
            let e = ulps(tanh(x), hi, lo);
            if e > worst {
                (worst, at) = (e, x);
            }
            n += 1;
        }
        assert_eq!(n, 2512);
        assert!(worst <= 1.0, "{worst} ulp at x = {at:e}");
    }

    #[test]
    fn special_values() {
        assert!(tanh(f64::NAN).is_nan());
        assert_eq!(tanh(f64::INFINITY), 1.0);
        assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
        for x in [
            0.0,
            -0.0,
            5e-324,
            -5e-324,
            2.2250738585072014e-308,
            -1e-200,
            1e-9,
        ] {
            assert_eq!(tanh(x).to_bits(), x.to_bits(), "{x:e}");
        }
        for x in [19.07, 22.0, 1000.0, f64::MAX] {
            assert_eq!(tanh(x), 1.0);
            assert_eq!(tanh(-x), -1.0);
        }
        assert!(tanh(19.06) < 1.0);
        // Odd, bit for bit, and never outside [-1, 1].
        for x in [0.3, 0.55, 0.7, 1.0, 3.0, 19.0] {
            assert_eq!(tanh(-x), -tanh(x));
            assert!(tanh(x) <= 1.0);
        }
    }

    /// Within 2 ulp of the platform's `f64::tanh` on random inputs of every magnitude:
    /// glibc's is off by up to 2.06 ulp and this one by 0.82, but never in opposite
    /// directions by that much at once on these inputs (the largest gap measured is 2).
    #[test]
    fn close_to_the_platform_tanh() {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for i in 0..400_000 {
            let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
            // Alternately log-uniform over 1e-300..40 and uniform in [-3, 3].
            let x = if i % 2 == 0 {
                let m = 10f64.powf(-300.0 + 301.6 * u);
                if next() & 1 == 0 {
                    m
                } else {
                    -m
                }
            } else {
                6.0 * u - 3.0
            };
            let (a, b) = (tanh(x), x.tanh());
            let gap = (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
            assert!(
                gap <= 2 && a.signum() == b.signum(),
                "x = {x:e}: {a:e} vs {b:e}"
            );
        }
    }
}
