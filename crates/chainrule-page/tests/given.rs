//! A graph given on a tape (the Python package's copy of a learner's Values) gets the same
//! answers as the same graph written as a program; a nudge replays a copy and leaves the
//! graph as given alone; values changed by hand after their users were made are named;
//! hand grads are checked and diagnosed; a lone value is a one-node graph; a NaN is traced;
//! a watched training loop gets a session's frames.

use chainrule::data::{moons, Rng};
use chainrule::lang::{EvalOptions, Program};
use chainrule::nn::{Activation, Mlp, Module};
use chainrule::Graph;
use chainrule_page::{
    ask, nudge, program, ApiError, Engine, ErrorKind, GivenGraph, Limits, NudgeRequest,
    ProgramRequest, Scores, Watch,
};
use serde_json::{json, Value};

const NOTEBOOK: &str = "a = 2; b = -3; c = 10\ne = a*b\nd = e + c\nf = -2\nL = d*f\n";

/// The program's graph, evaluated on a tape, given to an engine: as the Python package
/// gives its copy of a learner's Values. Returns the engine and the graph's id.
fn given(source: &str) -> (Engine, u64) {
    let g = Graph::new();
    let out = Program::parse(source)
        .unwrap()
        .eval(&g, &EvalOptions::default())
        .unwrap()
        .output
        .index();
    let mut e = Engine::new(Limits::default());
    let id = e.give(GivenGraph::new(g, out, &Limits::default()).unwrap());
    (e, id)
}

/// Question `name` about given graph `id`, through the protocol's one dispatch.
fn call(e: &mut Engine, name: &str, id: u64, mut body: Value) -> Result<Value, ApiError> {
    body["id"] = json!(id);
    e.call(name, body.to_string().as_bytes())
}

fn shown(e: &Engine, id: u64, node: usize) -> f64 {
    e.given_graph(id).unwrap().shown().get(node).unwrap().data()
}

/// An answer without the fields only a program has (the names values are bound to) or
/// only a given graph has (`stale`).
fn comparable(mut v: Value) -> Value {
    for n in v["nodes"].as_array_mut().unwrap() {
        n.as_object_mut().unwrap().remove("bound");
    }
    v.as_object_mut().unwrap().remove("stale");
    v
}

#[test]
fn a_given_graph_is_described_as_its_program_is() {
    let (mut e, id) = given(NOTEBOOK);
    let mine = call(&mut e, "given_describe", id, json!({})).unwrap();
    let theirs = program(
        &ProgramRequest {
            source: NOTEBOOK.into(),
            hand: vec![],
        },
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(mine["stale"], Value::Null);
    assert_eq!(mine["nodes"].as_array().unwrap().len(), 7);
    assert_eq!(comparable(mine), comparable(theirs));
}

#[test]
fn a_nudge_replays_a_copy_and_back_shows_the_graph_as_given() {
    let (mut e, id) = given(NOTEBOOK);
    let j = call(&mut e, "given_nudge", id, json!({"node": 1, "h": 0.5})).unwrap();
    let theirs = nudge(
        &NudgeRequest {
            source: NOTEBOOK.into(),
            node: 1,
            h: 0.5,
            ..Default::default()
        },
        &Limits::default(),
    )
    .unwrap()
    .into_value();
    assert_eq!(j, theirs, "the same question, the same answer");
    assert_eq!(
        (
            &j["before"],
            &j["after"],
            &j["finite_difference"],
            &j["grad"]
        ),
        (&json!(-8.0), &json!(-10.0), &json!(-4.0), &json!(-4.0))
    );
    // The view shows the replay; the graph as given is untouched.
    let out = e.given_graph(id).unwrap().output_index();
    assert_eq!(e.given_graph(id).unwrap().replayed(), Some((1, 0.5)));
    assert_eq!((shown(&e, id, 1), shown(&e, id, out)), (-2.5, -10.0));
    let given = e.given_graph(id).unwrap().given();
    assert_eq!(
        (given.get(1).unwrap().data(), given.get(out).unwrap().data()),
        (-3.0, -8.0)
    );
    // A second nudge starts from the value as given, not from the last replay.
    let k = call(&mut e, "given_nudge", id, json!({"node": 1, "h": 1.0})).unwrap();
    assert_eq!((&k["a"], &k["after"]), (&json!(-3.0), &json!(-12.0)));
    assert_eq!(
        call(&mut e, "given_back", id, json!({})).unwrap(),
        json!({"ok": true})
    );
    assert_eq!(e.given_graph(id).unwrap().replayed(), None);
    assert_eq!(shown(&e, id, out), -8.0);
    // Let go, the graph is gone, and said so.
    call(&mut e, "given_free", id, json!({})).unwrap();
    let gone = call(&mut e, "given_describe", id, json!({})).unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
}

/// The notebook's graph with `a` moved to 3 by hand afterwards, as the notebook does
/// (`e`, `d` and `L` stale): the graph and the indices of `L`, `a`, `e` and `d`.
fn stale_notebook_graph() -> (Graph, usize, usize, usize, usize) {
    let g = Graph::new();
    let (a, b, c) = (g.var("a", 2.0), g.var("b", -3.0), g.var("c", 10.0));
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let l = (d * g.var("f", -2.0)).named("L");
    a.set_data(3.0);
    let (out, a, e, d) = (l.index(), a.index(), e.index(), d.index());
    (g, out, a, e, d)
}

#[test]
fn values_changed_by_hand_after_their_users_were_made_are_named_and_a_nudge_replays_them() {
    // As the notebook does by hand: a moves, the values made from it do not.
    let (g, out, a, e, d) = stale_notebook_graph();
    let mut given = GivenGraph::new(g, out, &Limits::default()).unwrap();
    let j = given.describe(&Limits::default()).unwrap().into_value();
    assert_eq!(
        j["stale"],
        json!({"count": 3, "id": e, "name": "e", "data": -6.0, "replayed": -9.0})
    );
    // The view shows the values as given ...
    assert_eq!(j["output"]["data"], -8.0);
    // ... and a nudge compares two replays: L at a = 3 (-2) and at 3 + 1 (4).
    let n = given
        .nudge(a, 1.0, true, &Limits::default())
        .unwrap()
        .into_value();
    assert_eq!((&n["before"], &n["after"]), (&json!(-2.0), &json!(4.0)));
    assert_eq!(n["finite_difference"], n["grad"]);
    assert_eq!(d + 2, out);
}

#[test]
fn a_nudge_without_a_drawing_says_the_cells_that_changed_against_the_graph_as_given() {
    // The notebook's graph with a moved by hand (e, d and L stale), as the widget shows it.
    let (g, out, a, e, d) = stale_notebook_graph();
    let limits = Limits::default();
    let make = || GivenGraph::new(g.clone(), out, &limits).unwrap();
    let (mut cells_only, mut drawn) = (make(), make());
    let j = cells_only
        .nudge(a, 0.001, false, &limits)
        .unwrap()
        .into_value();
    let full = drawn.nudge(a, 0.001, true, &limits).unwrap().into_value();
    assert_eq!((&j["svg"], &j["texts"]), (&Value::Null, &Value::Null));
    assert_eq!(cells_only.replayed(), drawn.replayed());
    for k in ["before", "after", "finite_difference", "grad"] {
        assert_eq!(j[k], full[k], "{k}");
    }
    // Each cell reads as in the replay's own drawing, and the stale values are among them:
    // they are said against the graph as given (e = -6), not against its replay (e = -9).
    let svg = full["svg"].as_str().unwrap();
    let cells = j["cells"].as_array().unwrap();
    let ids: Vec<u64> = cells.iter().map(|c| c[0].as_u64().unwrap()).collect();
    for c in cells {
        for text in [&c[1], &c[2]] {
            let text = text.as_str().unwrap();
            assert!(
                svg.contains(&format!(">{text}<")),
                "{text} is not in the replay's drawing"
            );
        }
    }
    for id in [a, e, d, out] {
        assert!(ids.contains(&(id as u64)), "{id} not in {ids:?}");
    }
    // Only the values that changed, each as the drawn answer has it.
    let all = full["values"].as_array().unwrap();
    for v in j["values"].as_array().unwrap() {
        assert!(all.contains(v), "{v}");
    }
    assert!(j["values"].as_array().unwrap().len() < all.len());
    // A nudge that makes a number wider is drawn anew.
    let wide = cells_only
        .nudge(a, 50.0, false, &limits)
        .unwrap()
        .into_value();
    assert_eq!(wide["cells"], Value::Null);
    assert!(wide["svg"].as_str().unwrap().starts_with("<svg"));
    // Through the protocol, `svg` is true when left out.
    let (mut en, id) = given(NOTEBOOK);
    let asked = call(
        &mut en,
        "given_nudge",
        id,
        json!({"node": 1, "h": 0.001, "svg": false}),
    )
    .unwrap();
    assert!(asked["cells"].is_array() && asked["svg"].is_null());
    let left_out = call(&mut en, "given_nudge", id, json!({"node": 1, "h": 0.001})).unwrap();
    assert!(left_out["svg"].is_string());
}

#[test]
fn hand_grads_are_checked_and_a_wrong_one_diagnosed() {
    let (mut e, id) = given(NOTEBOOK);
    // b is node 1: dL/db = dL/de · a = -2 · 2 = -4; 6 = -2 · -3 took the wrong operand.
    let j = call(
        &mut e,
        "given_check",
        id,
        json!({"hand": [[1, 6.0], [0, 6.0]]}),
    )
    .unwrap();
    assert_eq!(j["output"], json!({"id": 6, "name": "L", "data": -8.0}));
    let (wrong, right) = (&j["hand"][0], &j["hand"][1]);
    assert_eq!(
        (&wrong["right"], &wrong["correct"]),
        (&json!(false), &json!(-4.0))
    );
    assert_eq!(wrong["mistakes"], json!(["wrong-factor"]));
    assert!(wrong["diagnosis"][0]
        .as_str()
        .unwrap()
        .contains("wrong operand"));
    assert_eq!(
        (&right["right"], &right["name"]),
        (&json!(true), &json!("a"))
    );
    let bad = call(&mut e, "given_check", id, json!({"hand": [[7, 1.0]]})).unwrap_err();
    assert_eq!(bad.body["error"]["message"], "there is no value with id 7");
}

#[test]
fn a_lone_value_is_a_one_node_graph() {
    let g = Graph::new();
    let x = g.var("x", 3.0).index();
    let mut given = GivenGraph::new(g, x, &Limits::default()).unwrap();
    let j = given.describe(&Limits::default()).unwrap().into_value();
    assert_eq!(j["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&j["nodes"][0]["grad"], &j["nodes"][0]["leaf"]),
        (&json!(1.0), &json!(true))
    );
    assert_eq!(
        j["svg"].as_str().unwrap().matches("class=\"value").count(),
        1
    );
    assert_eq!(j["schedule"].as_array().unwrap().len(), 1);
    let n = given
        .nudge(0, 0.25, true, &Limits::default())
        .unwrap()
        .into_value();
    assert_eq!(
        (&n["after"], &n["finite_difference"]),
        (&json!(3.25), &json!(1.0))
    );
}

#[test]
fn a_nan_is_traced_to_the_value_that_made_it() {
    let (mut e, id) = given("x = -2\ny = ln(x)\nL = y*3\n");
    let j = call(&mut e, "given_describe", id, json!({})).unwrap();
    let nf = &j["non_finite"];
    assert_eq!(
        (&nf["name"], &nf["pass"], &nf["value"]),
        (&json!("y"), &json!("value"), &json!("NaN"))
    );
    assert!(nf["reason"]
        .as_str()
        .unwrap()
        .contains("ln of a negative number"));
}

#[test]
fn bad_questions_are_refused_with_what_to_do() {
    let (mut e, id) = given(NOTEBOOK);
    let mut refused = |body: Value| {
        let err = call(&mut e, "given_nudge", id, body).unwrap_err();
        err.body["error"]["message"].as_str().unwrap().to_string()
    };
    assert_eq!(
        refused(json!({"node": 3, "h": 0.1})),
        "value 3 is not a leaf"
    );
    assert_eq!(
        refused(json!({"node": 0, "h": 0.0})),
        "h must be a finite number other than 0"
    );
    assert!(refused(json!({"node": 0})).contains("missing field `h`"));
    assert_eq!(
        e.given_graph(id).unwrap().replayed(),
        None,
        "a refused nudge shows nothing new"
    );
    let other = call(&mut e, "given_back", id + 1, json!({})).unwrap_err();
    assert_eq!(
        other.body["error"]["message"],
        format!(
            "there is no given graph {} (it was let go); give the graph again",
            id + 1
        )
    );
    // A transport that keeps no graphs says so.
    let stateless = ask("given_describe", b"{\"id\": 1}", &Limits::default()).unwrap_err();
    assert!(stateless.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("this transport keeps none"));
    // Past the page's bound on values, with what to do.
    let big = Graph::new();
    let mut x = big.leaf(1.0);
    for _ in 0..20 {
        x *= 1.0;
    }
    let x = x.index();
    let small = Limits {
        nodes: 10,
        ..Limits::default()
    };
    let Err(e) = GivenGraph::new(big, x, &small) else {
        panic!("a graph past the bound was given");
    };
    assert_eq!(e.kind, ErrorKind::TooLarge);
    let message = e.body["error"]["message"].as_str().unwrap();
    let says = format!(
        "the graph has {} values; the live view shows at most 10",
        x + 1
    );
    assert!(message.starts_with(&says), "{message}");
}

#[test]
fn a_watched_loop_gets_a_sessions_frames() {
    let data = moons(50, 0.1, &mut Rng::new(3));
    let model = Mlp::new(
        2,
        &[(8, Activation::Relu), (1, Activation::Linear)],
        &mut Rng::new(4),
    );
    let mut w = Watch::new(data.clone(), 10);
    let start = w.started();
    assert_eq!(start["points"].as_array().unwrap().len(), 50);
    assert_eq!(
        start["points"][7],
        json!([data.row(7)[0], data.row(7)[1], data.y[7]])
    );
    let first = w.frame(Scores::Mlp(&model), true);
    assert_eq!(
        (&first["frame"], &first["step"], &first["loss"]),
        (&json!(0), &json!(0), &Value::Null)
    );
    w.record(0.8, Some(0.5));
    w.record(0.6, None);
    let f = w.frame(Scores::Mlp(&model), true);
    assert_eq!(f["history"], json!([[1, 0.8, 0.5], [2, 0.6, "NaN"]]));
    assert_eq!(
        (&f["frame"], &f["of"], &f["playing"]),
        (&json!(1), &json!(10), &json!(true))
    );
    // The boundary is the model's score at each cell, whichever way it is given.
    let mut score = |x: f64, y: f64| model.predict(&[x, y])[0];
    let by_function = w.frame(
        Scores::Function {
            score: &mut score,
            multiclass: false,
        },
        false,
    );
    assert_eq!(by_function["grid"], f["grid"]);
    assert_eq!(f["grid"]["scores"].as_array().unwrap().len(), 32 * 32);
    assert_eq!(by_function["note"], "done: the loop has finished");
    assert_eq!(f["warning"], Value::Null, "a falling loss warns of nothing");
    // A learner's loop whose loss grows, all finite, is warned of as the page's own is.
    w.record(1.9, Some(0.5));
    let grown = w.frame(Scores::Nothing, true);
    assert_eq!(
        grown["warning"],
        "the loss has grown from 0.8000 to 1.9000 by step 3, 2.4× where it started: the \
         steps overshoot, so training is diverging though every number is still finite; try \
         a smaller learning rate"
    );
    // More steps than planned stretch the axis; a NaN loss is named.
    for _ in 0..8 {
        w.record(f64::NAN, Some(0.5));
    }
    let bad = w.frame(Scores::Nothing, true);
    assert_eq!((&bad["of"], &bad["grid"]), (&json!(11), &Value::Null));
    assert_eq!(bad["warning"], Value::Null, "a NaN is named, not warned of");
    assert_eq!(
        bad["non_finite"],
        "the loss is NaN: training diverged; try a smaller learning rate"
    );
}

#[test]
fn data_that_is_not_2d_gets_curves_and_no_boundary() {
    let data = chainrule::data::Dataset {
        x: vec![0.0, 1.0, 2.0],
        dim: 3,
        y: vec![1],
        classes: 2,
    };
    let model = Mlp::new(3, &[(1, Activation::Linear)], &mut Rng::new(4));
    let mut w = Watch::new(data, 5);
    assert_eq!(w.started()["points"], json!([]));
    w.record(1.0, Some(1.0));
    assert_eq!(w.frame(Scores::Mlp(&model), true)["grid"], Value::Null);
}

/// `svg` with the texts of a nudge's answer put in (`[k, text]`: the k-th text element
/// reads `text`), as the page puts them in.
fn retext(svg: &str, texts: &Value) -> String {
    let mut pieces: Vec<String> = svg.split("</text>").map(str::to_string).collect();
    for t in texts.as_array().unwrap() {
        let (k, text) = (t[0].as_u64().unwrap() as usize, t[1].as_str().unwrap());
        let piece = &mut pieces[k];
        piece.truncate(piece.rfind('>').unwrap() + 1);
        piece.push_str(text);
    }
    pieces.join("</text>")
}

#[test]
fn a_small_nudge_changes_only_texts_and_they_make_the_replays_drawing() {
    let (mut e, id) = given(NOTEBOOK);
    let shown = call(&mut e, "given_describe", id, json!({})).unwrap()["svg"].clone();
    let small = call(&mut e, "given_nudge", id, json!({"node": 1, "h": 0.001})).unwrap();
    // b, e, d, L and the grads that moved read otherwise; the picture is the replay's.
    assert!(small["texts"].as_array().unwrap().len() >= 4);
    assert_eq!(
        retext(shown.as_str().unwrap(), &small["texts"]),
        small["svg"]
    );
    // A nudge that makes a number wider (L from -8 to -208) makes another drawing.
    let large = call(&mut e, "given_nudge", id, json!({"node": 1, "h": 50.0})).unwrap();
    assert_eq!(large["texts"], Value::Null);
    // A program's nudge says the same, relative to the program's own drawing.
    let theirs = nudge(
        &NudgeRequest {
            source: NOTEBOOK.into(),
            node: 1,
            h: 0.001,
            ..Default::default()
        },
        &Limits::default(),
    )
    .unwrap()
    .into_value();
    assert_eq!(theirs["texts"], small["texts"]);
}
