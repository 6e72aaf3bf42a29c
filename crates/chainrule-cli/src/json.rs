//! The machine-readable answer of `eval --json`, written by hand (the schema is small
//! and fixed). Numbers are JSON numbers; NaN and infinities, which JSON lacks, are null.

use chainrule::lang::Evaluated;
use chainrule::Graph;
use std::fmt::Write;

/// `{"output", "output_id", "nodes", "values", "grads"}`: every node of the graph by id,
/// and each name's last value and grad, in the order the names were first bound.
pub fn answer(g: &Graph, run: &Evaluated) -> String {
    let mut s = String::from("{\n");
    let name = run.output_name.as_deref().map_or("null".into(), string);
    let _ = writeln!(s, "  \"output\": {name},");
    let _ = writeln!(s, "  \"output_id\": {},", run.output.index());
    s += "  \"nodes\": [";
    for (k, v) in g.vars().enumerate() {
        s += if k == 0 { "\n    " } else { ",\n    " };
        let label = v.label().map_or("null".into(), |l| string(&l));
        let children: Vec<String> = v.children().iter().map(|c| c.index().to_string()).collect();
        let _ = write!(
            s,
            "{{\"id\": {}, \"label\": {label}, \"op\": {}, \"children\": [{}], \"data\": {}, \"grad\": {}",
            v.index(),
            string(v.op().name()),
            children.join(", "),
            number(v.data()),
            number(v.grad())
        );
        if let Some(c) = v.constant() {
            let _ = write!(s, ", \"constant\": {}", number(c));
        }
        s.push('}');
    }
    s += "\n  ],\n";
    let names = run.names();
    let map = |f: &dyn Fn(chainrule::Var) -> f64| {
        let items: Vec<String> = names
            .iter()
            .map(|(n, v)| format!("{}: {}", string(n), number(f(*v))))
            .collect();
        format!("{{{}}}", items.join(", "))
    };
    let _ = writeln!(s, "  \"values\": {},", map(&|v| v.data()));
    let _ = writeln!(s, "  \"grads\": {}", map(&|v| v.grad()));
    s += "}\n";
    s
}

/// A JSON number: Rust's shortest round-trip form (`2.0`, `1e-7`), or null when not finite.
pub fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        "null".into()
    }
}

/// A JSON string literal.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings() {
        assert_eq!(number(2.0), "2.0");
        assert_eq!(number(-0.001), "-0.001");
        assert_eq!(number(1e300), "1e300");
        assert_eq!(number(f64::NAN), "null");
        assert_eq!(number(f64::NEG_INFINITY), "null");
        assert_eq!(string("a\"b\\c\nd\u{1}é₁"), "\"a\\\"b\\\\c\\nd\\u0001é₁\"");
    }
}
