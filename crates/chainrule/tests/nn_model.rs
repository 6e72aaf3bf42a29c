//! Modules and model files: forward on the graph equals predict bit for bit; save, load
//! and predict give identical scores; truncated or hand-edited files give clear errors.
use chainrule::data::Rng;
use chainrule::nn::{Activation, Activation::*, Layer, Mlp, ModelError, Module, Neuron};
use chainrule::Graph;

fn demo_model() -> Mlp {
    Mlp::new(
        2,
        &[(16, Relu), (16, Tanh), (4, Sigmoid), (1, Linear)],
        &mut Rng::new(1337),
    )
}

#[test]
fn forward_on_the_graph_equals_predict_exactly() {
    let m = demo_model();
    let g = Graph::new();
    let p = m.bind(&g);
    let mut rng = Rng::new(1);
    for _ in 0..50 {
        let x = [rng.uniform(-2.0, 2.0), rng.uniform(-2.0, 2.0)];
        let xv = g.leaves(&x).vars();
        let got: Vec<f64> = m.forward(p, &xv).iter().map(|v| v.data()).collect();
        assert_eq!(got, m.predict(&x));
    }
}

#[test]
fn neuron_and_layer_by_hand() {
    let mut n = Neuron::new(3, Tanh, &mut Rng::new(0));
    n.params_mut().copy_from_slice(&[0.5, -1.0, 2.0, 0.1]);
    let x = [1.0, 2.0, 0.25];
    assert_eq!(n.predict(&x), vec![(0.5 - 2.0 + 0.5 + 0.1f64).tanh()]);

    let mut l = Layer::new(2, 2, Relu, &mut Rng::new(0));
    l.params_mut()
        .copy_from_slice(&[1.0, 1.0, -3.0, 2.0, 0.0, 0.5]);
    assert_eq!(l.predict(&[1.0, 1.0]), vec![0.0, 2.5]);
    let g = Graph::new();
    let p = l.bind(&g);
    let x = g.leaves(&[1.0, 1.0]);
    let y = l.forward(p, &x.vars());
    (y[0] + y[1]).backward();
    // the first neuron is off (relu'(−1) = 0); the second passes x and 1
    assert_eq!(p.grads(), vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    assert_eq!(x.grads(), vec![2.0, 0.0]);
}

#[test]
fn initialisation_is_micrograd_s() {
    let m = Mlp::new(3, &[(4, Relu), (2, Linear)], &mut Rng::new(5));
    assert_eq!(m.params().len(), 4 * 4 + 2 * 5);
    for (i, s) in m.shapes().iter().enumerate() {
        for neuron in m.layer_params(i).chunks(s.inputs + 1) {
            assert_eq!(neuron[s.inputs], 0.0, "bias starts at 0");
            assert!(neuron[..s.inputs]
                .iter()
                .all(|w| (-1.0..1.0).contains(w) && *w != 0.0));
        }
    }
    assert_eq!(m, Mlp::new(3, &[(4, Relu), (2, Linear)], &mut Rng::new(5)));
    assert_ne!(m, Mlp::new(3, &[(4, Relu), (2, Linear)], &mut Rng::new(6)));
}

#[test]
fn activation_names_round_trip() {
    for a in Activation::ALL {
        assert_eq!(Activation::from_name(a.name()), Some(a));
    }
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("chainrule-nn-{}-{name}", std::process::id()))
}

#[test]
fn save_load_predict_identical() {
    let mut m = demo_model();
    // awkward numbers: they must survive the text round trip bit for bit
    m.params_mut()[0] = 0.1 + 0.2;
    m.params_mut()[1] = -1e-300;
    m.params_mut()[2] = 5e-324;
    let path = temp("model.json");
    m.save(&path).unwrap();
    let back = Mlp::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back, m);
    let mut rng = Rng::new(2);
    for _ in 0..100 {
        let x = [rng.uniform(-3.0, 3.0), rng.uniform(-3.0, 3.0)];
        assert_eq!(back.predict(&x), m.predict(&x));
    }
    // nothing but the model file was left behind
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains(&format!("chainrule-nn-{}-model", std::process::id()))
        })
        .collect();
    assert!(left.is_empty());
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let m = Mlp::new(2, &[(3, Relu), (1, Linear)], &mut Rng::new(4));
    let text = m.to_json().pretty();
    for end in (0..text.trim_end().len()).filter(|&e| text.is_char_boundary(e)) {
        let err = Mlp::parse(&text[..end]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("model file"), "{msg}");
        if end > 0 && !text[..end].trim_end().ends_with('}') {
            assert!(matches!(err, ModelError::Json(_)), "cut at {end}: {msg}");
        }
    }
    assert_eq!(Mlp::parse(&text).unwrap(), m);
}

#[test]
fn truncated_file_says_so() {
    let text = demo_model().to_json().pretty();
    let msg = Mlp::parse(&text[..text.len() / 2]).unwrap_err().to_string();
    assert!(
        msg.starts_with("model file is not valid JSON: line "),
        "{msg}"
    );
    assert!(msg.contains("is the file truncated?"), "{msg}");
}

const SMALL: &str = r#"{
  "format": "chainrule-mlp",
  "version": 1,
  "inputs": 2,
  "layers": [
    {"activation": "relu", "weights": [[1, 2], [3, 4]], "biases": [0, 0]},
    {"activation": "linear", "weights": [[1, -1]], "biases": [0.5]}
  ]
}"#;

fn edited(from: &str, to: &str) -> String {
    assert!(SMALL.contains(from), "{from}");
    let text = SMALL.replacen(from, to, 1);
    Mlp::parse(&text).unwrap_err().to_string()
}

#[test]
fn hand_edited_files_get_clear_errors() {
    let m = Mlp::parse(SMALL).unwrap();
    assert_eq!(m.predict(&[1.0, 0.0]), vec![1.0 - 3.0 + 0.5]);
    let cases = [
        ("[[1, 2], [3, 4]]", "[[1, 2], [3]]", "model file: layers[0].weights[1]: expected 2 weights (the layer's inputs), found 1"),
        ("[[1, -1]]", "[[1, -1, 7]]", "model file: layers[1].weights[0]: expected 2 weights (the layer's inputs), found 3"),
        ("\"biases\": [0, 0]", "\"biases\": [0]", "model file: layers[0].biases: expected 2 biases (one per neuron in weights), found 1"),
        ("[[1, 2], [3, 4]]", "[[1, \"2\"], [3, 4]]", "model file: layers[0].weights[0][1]: expected a number, found a string"),
        ("[0.5]", "[null]", "model file: layers[1].biases[0]: expected a number, found null"),
        ("[[1, 2], [3, 4]]", "[[1, two], [3, 4]]", "model file is not valid JSON: line 6, column 44: expected a value, found 't'"),
        ("[0.5]", "[0.5,]", "model file is not valid JSON: line 7, column 67: expected a value, found ']'"),
        ("\"relu\"", "\"gelu\"", "model file: layers[0].activation: expected one of {activations}, found \"gelu\""),
        ("\"inputs\": 2", "\"inputs\": 2.5", "model file: inputs: expected a positive whole number, found 2.5"),
        ("\"inputs\": 2", "\"inputs\": 3", "model file: layers[0].weights[0]: expected 3 weights (the layer's inputs), found 2"),
        ("\"version\": 1", "\"version\": 2", "model file: version: this chainrule reads version 1, found 2"),
        ("\"chainrule-mlp\"", "\"keras\"", "model file: format: expected \"chainrule-mlp\", found \"keras\"; is this a chainrule model file?"),
        ("\"inputs\": 2,\n", "", "model file: inputs: missing"),
        ("\"weights\": [[1, -1]]", "\"weights\": []", "model file: layers[1].weights: expected at least one neuron"),
        ("\"weights\": [[1, -1]]", "\"weights\": {}", "model file: layers[1].weights: expected an array, found an object"),
    ];
    // The activations are the op table's (relu, tanh, sigmoid, … and linear).
    let activations = chainrule::nn::Activation::ALL.map(|a| a.name()).join(", ");
    assert!(activations.contains("relu") && activations.ends_with("linear"));
    for (from, to, want) in cases {
        assert_eq!(
            edited(from, to),
            want.replace("{activations}", &activations)
        );
    }
    assert_eq!(
        Mlp::parse("[1]").unwrap_err().to_string(),
        "model file: top level: expected an object, found an array"
    );
    let layers = "\"layers\": [\n    {\"activation\": \"relu\", \"weights\": [[1, 2], [3, 4]], \"biases\": [0, 0]},\n    {\"activation\": \"linear\", \"weights\": [[1, -1]], \"biases\": [0.5]}\n  ]";
    assert_eq!(
        edited(layers, "\"layers\": []"),
        "model file: layers: expected at least one layer"
    );
    assert_eq!(
        edited(layers, "\"layers\": [7]"),
        "model file: layers[0]: expected an object, found a number"
    );
}

#[test]
fn missing_file_is_an_io_error() {
    let err = Mlp::load(temp("does-not-exist.json")).unwrap_err();
    assert!(matches!(err, ModelError::Io { .. }));
    assert!(err.to_string().starts_with("model file: "));
    // The message names the file, and the cause is there for callers that walk sources.
    assert!(err.to_string().contains("does-not-exist.json"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn a_whole_training_loss_passes_the_gradient_check() {
    use chainrule::data::moons;
    use chainrule::nn::loss;
    let mut rng = Rng::new(21);
    let data = moons(12, 0.1, &mut rng);
    let m = Mlp::new(2, &[(5, Tanh), (4, Relu), (1, Linear)], &mut rng);
    let g = Graph::new();
    let p = m.bind(&g);
    let x = g.leaves(&data.x).vars();
    let scores: Vec<_> = x.chunks(2).map(|xi| m.forward(p, xi)[0]).collect();
    let total = loss::max_margin(&scores, &data.signs()) + loss::l2(&p.vars(), 1e-2);
    let check = total.grad_check();
    assert!(
        check.passed(),
        "{:?}",
        check
            .rows
            .iter()
            .filter(|r| r.verdict == chainrule::Verdict::Fail)
            .collect::<Vec<_>>()
    );
    assert_eq!(check.rows.len(), m.params().len() + data.x.len());
}

#[test]
#[should_panic(expected = "two different graphs")]
fn inputs_from_another_graph_are_refused() {
    let m = Mlp::new(2, &[(3, Relu), (1, Linear)], &mut Rng::new(0));
    let (g, h) = (Graph::new(), Graph::new());
    let x = h.leaves(&[1.0, 2.0]);
    m.forward(m.bind(&g), &x.vars());
}

#[test]
#[should_panic(expected = "the module takes 9 bound parameters, got 3")]
fn parameters_of_another_size_are_refused() {
    let m = Layer::new(2, 3, Relu, &mut Rng::new(0));
    let g = Graph::new();
    let p = chainrule::nn::Params::new(&g, &[1.0; 3]);
    m.forward(p, &g.leaves(&[1.0, 2.0]).vars());
}

#[test]
fn a_diverged_model_is_not_saved() {
    let mut m = Mlp::new(2, &[(3, Relu), (2, Linear)], &mut Rng::new(0));
    let path = temp("diverged.json");
    m.params_mut()[9 + 5] = f64::NAN; // layer 1, neuron 1, weight 1
    let err = m.save(&path).unwrap_err().to_string();
    assert_eq!(err, "model file: layers[1].weights[1][1]: is not a finite number (did training diverge? try a smaller learning rate)");
    m.params_mut()[9 + 5] = 0.0;
    m.params_mut()[3] = f64::INFINITY; // layer 0, neuron 1, weight 0
    m.params_mut()[2] = f64::NAN; // layer 0, neuron 0, bias
    assert!(m
        .save(&path)
        .unwrap_err()
        .to_string()
        .starts_with("model file: layers[0].biases[0]: "));
    assert!(!path.exists());
}
