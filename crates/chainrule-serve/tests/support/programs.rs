//! Programs of a given number of values for the page's tests and benchmarks: layers of
//! neurons `tanh(w₁·a + w₂·b − w₃·c + w₄·d)` over the layer before, each weight a number
//! in the text (so no leaf of its own), four inputs `x0`…`x3`, and the output `L` the sum
//! of the last layer. Every edge joins neighbouring layers, as in a network drawn by hand;
//! the text stays within the page's 64 KiB up to about 12,000 values.
// Each includer uses part of it.
#![allow(dead_code)]

/// Values a neuron makes: four products by a weight, three sums, the `tanh`.
const PER_NEURON: usize = 8;
/// The inputs, leaves.
const INPUTS: usize = 4;

/// A program of `layers × width` neurons (see the module's doc) and its output `L`.
/// It makes `4 + 8·layers·width + (width − 1)` values.
pub fn layered(layers: usize, width: usize) -> String {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut weight = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // .05 to .60, in hundredths, never zero.
        format!(".{:02}", 5 + seed % 56)
    };
    let mut src = format!(
        "# {} values: {layers} layers of {width} neurons\n",
        values(layers, width)
    );
    src += "x0 = 0.5; x1 = -1.5; x2 = 0.25; x3 = 1\n";
    let name = |layer: usize, j: usize| {
        if layer == 0 {
            format!("x{}", j % INPUTS)
        } else {
            format!("h{}", base36((layer - 1) * width + j))
        }
    };
    for layer in 1..=layers {
        for j in 0..width {
            let inputs: Vec<String> = (0..4)
                .map(|k| name(layer - 1, (j + k * (width / 4).max(1)) % width.max(1)))
                .collect();
            src += &format!(
                "{}=tanh({}*{}+{}*{}-{}*{}+{}*{})\n",
                name(layer, j),
                weight(),
                inputs[0],
                weight(),
                inputs[1],
                weight(),
                inputs[2],
                weight(),
                inputs[3]
            );
        }
    }
    let last: Vec<String> = (0..width).map(|j| name(layers, j)).collect();
    src += &format!("L={}\n", last.join("+"));
    src
}

/// The values `layered(layers, width)` makes.
pub fn values(layers: usize, width: usize) -> usize {
    INPUTS + PER_NEURON * layers * width + width - 1
}

/// The layered program (width 10 up to 1,000 values, else 20) with about `target` values,
/// at most as many (but at least one layer).
pub fn about(target: usize) -> String {
    let width = if target <= 1_000 { 10 } else { 20 };
    let layers = (target.saturating_sub(INPUTS + width - 1) / (PER_NEURON * width)).max(1);
    layered(layers, width)
}

/// `k` in base 36, lower case.
fn base36(mut k: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = Vec::new();
    loop {
        s.push(digits[k % 36]);
        k /= 36;
        if k == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}
