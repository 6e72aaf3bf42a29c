//! The `program` answer's backward schedule is the library's own
//! (`Var::backward_schedule`), step for step, though the answer builds it from the
//! explanation it already has instead of asking for a second one.

use chainrule::lang::{EvalOptions, Program};
use chainrule::Graph;
use chainrule_page::{program, Limits, ProgramRequest};

/// Programs with values used once, twice and not at all, a constant, a `grad()` (second
/// order), and a layer of neurons.
const PROGRAMS: [&str; 4] = [
    "a = 2; b = -3; c = 10; e = a*b; d = e + c; f = -2; L = d*f",
    "x = 3; y = x*x*x + x; z = tanh(y/10)*x",
    "x = 0.5\ny = tanh(x*x)\nd = grad(y, x)\nL = d*y\n",
    include_str!("../../chainrule-wasm/tests/programs/values200-relu.cr"),
];

#[test]
fn the_answers_schedule_is_the_librarys_step_for_step() {
    for source in PROGRAMS {
        let answer = program(
            &ProgramRequest {
                source: source.into(),
                hand: vec![],
            },
            &Limits::default(),
        )
        .unwrap();
        let g = Graph::new();
        let out = Program::parse(source)
            .unwrap()
            .eval(&g, &EvalOptions::default())
            .unwrap()
            .output;
        out.backward();
        let library = out.backward_schedule();
        let steps = answer["schedule"].as_array().unwrap();
        assert_eq!(steps.len(), library.steps.len(), "{source}");
        assert_eq!(answer["schedule_intro"], library.intro(), "{source}");
        for (s, l) in steps.iter().zip(&library.steps) {
            assert_eq!(s["node"], l.node, "{source}");
            assert_eq!(s["name"], l.name.as_str(), "{source}");
            assert_eq!(s["grad"].as_f64(), Some(l.grad), "{source}");
            assert_eq!(s["summary"], l.summary(), "{source}");
            let edges = s["edges"].as_array().unwrap();
            assert_eq!(edges.len(), l.contributions.len(), "{source}");
            for (e, c) in edges.iter().zip(&l.contributions) {
                assert_eq!((&e["from"], &e["to"]), (&l.node.into(), &c.parent.into()));
                assert_eq!(e["local"].as_f64(), Some(c.local), "{source}");
                assert_eq!(e["formula"], c.formula.as_str(), "{source}");
            }
            // The step's derivation is the node's own, sent once in `nodes`.
            let node = answer["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["id"] == l.node)
                .unwrap();
            let derivation: Vec<&str> = node["derivation"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap())
                .collect();
            assert_eq!(derivation, l.derivation, "{source}");
        }
    }
}
