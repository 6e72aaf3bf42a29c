//! Graphviz DOT in the notebook's form (`draw_dot`), with names from tape indices and
//! labels escaped so they display as typed.

use crate::draw::{number, DrawOptions, Picture, RankDir};
use std::fmt::Write;

/// The DOT text of `pic`.
pub(crate) fn write(pic: &Picture, opts: &DrawOptions) -> String {
    let rankdir = match opts.rankdir {
        RankDir::LR => "LR",
        RankDir::TB => "TB",
    };
    let mut s = format!("digraph {{\n\tgraph [rankdir={rankdir}]\n");
    for n in &pic.nodes {
        let i = n.index;
        let mut label = format!(
            "{{ {} | data {}",
            record_text(&n.label),
            number(n.data, opts.decimals)
        );
        if let Some(g) = n.grad {
            let _ = write!(label, " | grad {}", number(g, opts.decimals));
        }
        let _ = writeln!(s, "\tn{i} [label=\"{label} }}\" shape=record]");
        if let Some(op) = &n.op {
            let _ = writeln!(s, "\tn{i}_op [label=\"{}\"]", quoted(op));
            let _ = writeln!(s, "\tn{i}_op -> n{i}");
        }
    }
    for &(c, p) in &pic.edges {
        let _ = writeln!(s, "\tn{} -> n{}_op", pic.nodes[c].index, pic.nodes[p].index);
    }
    s.push_str("}\n");
    s
}

/// Text for a DOT double-quoted string: `"` and `\` escaped, line breaks as spaces.
fn quoted(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                s.push('\\');
                s.push(c);
            }
            c if c.is_control() => s.push(' '),
            c => s.push(c),
        }
    }
    s
}

/// Text for one field of a record label inside a DOT string: the record syntax
/// characters `| { } < >` and spaces get a backslash, so they show as typed.
fn record_text(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '{' | '}' | '<' | '>' | ' ' => {
                s.push('\\');
                s.push(c);
            }
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if c.is_control() => s.push_str("\\ "),
            c => s.push(c),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_syntax_is_escaped() {
        assert_eq!(
            record_text(r#"a|b {c} <d> "e" \f"#),
            r#"a\|b\ \{c\}\ \<d\>\ \"e\"\ \\f"#
        );
        assert_eq!(record_text("x\ny"), r"x\ y");
        assert_eq!(quoted(r#"say "hi" \"#), r#"say \"hi\" \\"#);
    }
}
