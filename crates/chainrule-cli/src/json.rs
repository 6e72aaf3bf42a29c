//! The machine-readable answer of `eval --json`, built as a `chainrule::json::Json` and
//! written by the library's writer: one escaper and one number format (the shortest text
//! that reads back exactly) for the library and the command. NaN and infinities, which
//! JSON lacks, are null.

use chainrule::json::Json;
use chainrule::lang::Evaluated;
use chainrule::Graph;

/// `{"output", "output_id", "nodes", "values", "grads"}`: every node of the graph by id,
/// and each name's last value and grad, in the order the names were first bound. One
/// node per line.
pub fn answer(g: &Graph, run: &Evaluated) -> String {
    let nodes: Vec<Json> = g
        .vars()
        .map(|v| {
            let mut node = vec![
                ("id".into(), Json::Int(v.index() as i64)),
                ("label".into(), v.label().map_or(Json::Null, Json::Str)),
                ("op".into(), Json::Str(v.op().name().into())),
                (
                    "children".into(),
                    Json::Arr(
                        v.children()
                            .iter()
                            .map(|c| Json::Int(c.index() as i64))
                            .collect(),
                    ),
                ),
                ("data".into(), Json::Num(v.data())),
                ("grad".into(), Json::Num(v.grad())),
            ];
            if let Some(c) = v.constant() {
                node.push(("constant".into(), Json::Num(c)));
            }
            Json::Obj(node)
        })
        .collect();
    let names = run.names();
    let map = |f: &dyn Fn(chainrule::Var) -> f64| {
        Json::Obj(
            names
                .iter()
                .map(|(n, v)| (n.to_string(), Json::Num(f(*v))))
                .collect(),
        )
    };
    let answer = Json::Obj(vec![
        (
            "output".into(),
            run.output_name.clone().map_or(Json::Null, Json::Str),
        ),
        ("output_id".into(), Json::Int(run.output.index() as i64)),
        ("nodes".into(), Json::Arr(nodes)),
        ("values".into(), map(&|v| v.data())),
        ("grads".into(), map(&|v| v.grad())),
    ]);
    answer.pretty()
}

/// A JSON number in the library's one format, or null when not finite.
pub fn number(x: f64) -> String {
    Json::Num(x).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings() {
        assert_eq!(number(2.0), "2.0");
        assert_eq!(number(-0.001), "-0.001");
        assert_eq!(number(1e300), "1e300");
        assert_eq!(number(1e-12), "1e-12");
        assert_eq!(number(f64::NAN), "null");
        assert_eq!(number(f64::NEG_INFINITY), "null");
    }
}
