//! `chainrule train` and `chainrule predict` on the real binary: micrograd's demo by
//! default, the JSON lines, plain lines when piped, saving and predicting (checked against
//! the library), plots, softmax on a spiral, minibatches and bad options.

mod common;
use chainrule::data::{moons, Rng};
use chainrule::nn::{Activation::*, Mlp, Mode, Module, Objective, Schedule, Sgd, Trainer};
use common::{file, run, run_with_stdin};
use serde_json::Value;
use std::path::PathBuf;

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

/// The number after `"key":` in a compact JSON line, parsed exactly.
fn raw_number(line: &str, key: &str) -> f64 {
    let rest = line.split(&format!("\"{key}\":")).nth(1).unwrap();
    rest.split([',', '}']).next().unwrap().parse().unwrap()
}

/// Points drawn on a boundary plot, and how many of them are crossed out.
fn points(svg: &str) -> (usize, usize) {
    (
        svg.matches("data-index=").count(),
        svg.matches(r#"class="point miss""#).count(),
    )
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-train")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// micrograd's demo with the library's trainer, as the CLI's defaults should be.
fn library_demo(steps: usize) -> (Trainer<Mlp>, Vec<f64>) {
    let mut rng = Rng::new(1337);
    let data = moons(100, 0.1, &mut rng);
    let model = Mlp::new(2, &[(16, Relu), (16, Relu), (1, Linear)], &mut rng);
    let sgd = Sgd::new(Schedule::Linear {
        start: 1.0,
        end: 0.1,
        steps: 100,
    });
    let objective = Objective::MaxMargin;
    let mut t = Trainer::new(model, data, objective, 1e-4, Box::new(sgd), Mode::Rebuild).unwrap();
    let losses = (0..steps).map(|_| t.step().loss).collect();
    (t, losses)
}

#[test]
fn default_run_is_micrograds_demo_and_reaches_full_accuracy() {
    let out = ok(&["train", "--json"]);
    let text: Vec<&str> = out.lines().collect();
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 101, "100 steps and a summary");
    let (_, losses) = library_demo(100);
    for (k, line) in lines[..100].iter().enumerate() {
        let keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["accuracy", "loss", "lr", "step"]); // serde_json sorts
        assert_eq!(line["step"], k);
        // the same numbers as the library's trainer, to the last bit (read from the text:
        // serde_json's default float parsing may be off by one unit in the last place)
        assert_eq!(raw_number(text[k], "loss"), losses[k], "step {k}");
        let lr = 1.0 - 0.9 * k as f64 / 100.0;
        assert!((line["lr"].as_f64().unwrap() - lr).abs() < 1e-12);
        let acc = line["accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc) && (acc * 100.0).fract() == 0.0);
    }
    assert_eq!(lines[0]["accuracy"], 0.5);
    let s = &lines[100];
    assert_eq!(s["summary"], true);
    assert_eq!(s["steps"], 100);
    assert_eq!(s["accuracy"], 1.0);
    assert_eq!(s["parameters"], 337); // 2·16+16 + 16·16+16 + 16+1
    let loss = s["loss"].as_f64().unwrap();
    assert!(loss > 0.0 && loss < losses[99] * 1.01, "{loss}");
    assert!(s["seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        s.get("warning"),
        None,
        "the demo's falling loss warns of nothing"
    );
}

#[test]
fn a_run_that_overshoots_but_stays_finite_is_told_why() {
    // micrograd's demo at lr 30: the loss climbs to about 1e27, every number finite.
    let args = [
        "train",
        "--lr",
        "30",
        "--schedule",
        "constant",
        "--steps",
        "20",
    ];
    let text = ok(&args);
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("note: the loss has grown from 1.3217 to ")
            && last.contains("by step 20")
            && last.ends_with("try a smaller --lr"),
        "{text}"
    );
    // The summary's loss keeps six significant places as an exponent, not 28 digits.
    let summary = text
        .lines()
        .find(|l| l.starts_with("trained 20 steps"))
        .unwrap();
    let loss = summary
        .split("loss ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    assert!(loss.contains('e') && loss.len() < 14, "{summary}");
    // The JSON summary says the same; its steps' own losses agree.
    let lines = json_lines(&ok(&[&args[..], &["--json"]].concat()));
    let (steps, summary) = lines.split_at(20);
    assert!(steps[19]["loss"].as_f64().unwrap() > 1e20 * steps[0]["loss"].as_f64().unwrap());
    assert_eq!(
        summary[0]["warning"].as_str(),
        Some(&last["note: ".len()..])
    );
    // Where the loss jumps and comes back, the jump is named; at lr 1e300 the loss is
    // NaN, and that has its own note.
    let text = ok(&["train", "--lr", "5", "--schedule", "constant"]);
    assert!(
        text.contains("note: the loss jumped to 13.5819 at step 2"),
        "{text}"
    );
    let text = ok(&["train", "--lr", "1e300", "--steps", "5"]);
    assert!(
        text.contains("note: the loss is not a finite number") && !text.contains("grown"),
        "{text}"
    );
}

#[test]
fn piped_progress_is_plain_lines_every_tenth_and_the_last() {
    let out = ok(&["train", "--steps", "20"]);
    assert!(!out.contains('\r') && !out.contains('\x1b'), "{out:?}");
    let steps: Vec<&str> = out.lines().filter(|l| l.starts_with("step")).collect();
    let numbers: Vec<&str> = steps
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    let want: Vec<String> = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 20]
        .iter()
        .map(|k| format!("{k:>2}/20"))
        .collect();
    assert_eq!(numbers, want.iter().map(|s| s.trim()).collect::<Vec<_>>());
    assert!(steps[0].contains("loss 1.321717") && steps[0].contains("accuracy  50.0%"));
    assert!(out.contains("trained 20 steps in"), "{out}");
    assert!(out.contains("337 parameters"));
    // --quiet: the summary only
    let quiet = ok(&["train", "--steps", "3", "--quiet", "--json"]);
    assert_eq!(json_lines(&quiet).len(), 1);
}

#[test]
fn saved_model_is_the_trained_one_and_predict_scores_it_exactly() {
    let dir = scratch("save");
    let path = dir.join("model.json");
    let p = path.to_str().unwrap();
    ok(&["train", "--save", p, "--quiet"]);
    let saved = Mlp::load(&path).unwrap();
    let (trainer, _) = library_demo(100);
    assert_eq!(
        &saved,
        trainer.model(),
        "the CLI trains what the library trains"
    );

    // predict on the training data, labels included: every score, class and the accuracy
    let data = trainer.data();
    let mut csv = String::from("x,y,label\n");
    for i in 0..data.len() {
        let r = data.row(i);
        csv += &format!("{:?},{:?},{}\n", r[0], r[1], data.y[i]);
    }
    let out = run_with_stdin(&["predict", "--model", p, "--data", "-"], csv.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), data.len() + 1);
    for (i, line) in lines[..data.len()].iter().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f[1], "score");
        let score: f64 = f[2].parse().unwrap();
        assert_eq!(score, saved.predict(data.row(i))[0], "{line}");
        assert_eq!(f[4], if score > 0.0 { "1" } else { "0" });
    }
    assert_eq!(lines[data.len()], "accuracy 100.0% (100/100)");

    // --point and --json
    let out = ok(&[
        "predict", "--model", p, "--point", "0.5,0.25", "--point", "-1,0.5", "--json",
    ]);
    let v = json_lines(&out);
    assert_eq!(v.len(), 2, "no labels, no accuracy line");
    assert_eq!(v[0]["point"], serde_json::json!([0.5, 0.25]));
    let s = saved.predict(&[-1.0, 0.5])[0];
    assert_eq!(v[1]["score"].as_f64().unwrap().to_bits(), s.to_bits());
    assert_eq!(v[1]["class"], u8::from(s > 0.0));
}

#[test]
fn a_broken_model_file_is_a_clear_error_not_a_panic() {
    let dir = scratch("broken");
    let path = dir.join("model.json");
    let p = path.to_str().unwrap();
    ok(&["train", "--steps", "1", "--save", p, "--quiet"]);
    let text = std::fs::read_to_string(&path).unwrap();
    let truncated = file("truncated-model.json", &text.as_bytes()[..text.len() / 2]);
    let out = run(&[
        "predict",
        "--model",
        truncated.to_str().unwrap(),
        "--point",
        "0,0",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not valid JSON"), "{}", out.stderr);
    assert!(out.stderr.contains("truncated"), "{}", out.stderr);

    let edited = text.replacen("\"relu\"", "\"gelu\"", 1);
    let edited = file("edited-model.json", edited.as_bytes());
    let out = run(&[
        "predict",
        "--model",
        edited.to_str().unwrap(),
        "--point",
        "0,0",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("layers[0].activation"),
        "{}",
        out.stderr
    );

    let out = run(&["predict", "--model", p, "--point", "1,2,3"]);
    assert_eq!(out.code, 2);
    assert!(out
        .stderr
        .contains("the model takes 2 inputs, the point has 3"));
    let out = run(&["predict", "--model", p]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no points"));
}

fn check_svg(path: &std::path::Path, title: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("|");
    assert!(texts.contains(title), "{path:?}: {texts}");
    assert!(
        texts.contains("step") || texts.contains("x₁"),
        "axis labels"
    );
    text
}

fn check_png(path: &std::path::Path) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{path:?}");
    assert!(bytes.len() > 5_000, "{path:?} is {} bytes", bytes.len());
}

#[test]
fn plot_writes_curves_and_boundary_as_svg_and_png() {
    let dir = scratch("plot").join("made/here");
    let args = ["train", "--steps", "5", "--plot", dir.to_str().unwrap()];
    let out = ok(&args);
    assert!(out.contains(
        "wrote loss.svg, loss.png, accuracy.svg, accuracy.png, boundary.svg, boundary.png"
    ));
    check_svg(&dir.join("loss.svg"), "Training loss");
    check_svg(&dir.join("accuracy.svg"), "Training accuracy");
    let b = check_svg(&dir.join("boundary.svg"), "Decision boundary");
    let summary = ok(&[&args[..], &["--json", "--quiet"]].concat());
    let accuracy = json_lines(&summary)[0]["accuracy"].as_f64().unwrap();
    let (n, misses) = points(&b);
    assert_eq!(n, 100);
    assert_eq!(misses, ((1.0 - accuracy) * 100.0).round() as usize);
    for name in ["loss", "accuracy", "boundary"] {
        check_png(&dir.join(format!("{name}.png")));
    }
}

#[test]
fn softmax_on_a_three_class_spiral_learns_and_plots_classes() {
    let dir = scratch("spiral");
    let out = ok(&[
        "train",
        "--data",
        "spiral",
        "--classes",
        "3",
        "--samples",
        "60",
        "--loss",
        "softmax-ce",
        "--optimizer",
        "adam",
        "--lr",
        "0.05",
        "--steps",
        "40",
        "--json",
        "--plot",
        dir.to_str().unwrap(),
    ]);
    let v = json_lines(&out);
    let s = v.last().unwrap();
    assert_eq!(s["parameters"], 2 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3);
    let first = v[0]["loss"].as_f64().unwrap();
    assert!((first - 3f64.ln()).abs() < 0.5, "starts near ln 3: {first}");
    assert!(s["loss"].as_f64().unwrap() < first * 0.8, "{s}");
    assert!(s["accuracy"].as_f64().unwrap() > 0.5, "{s}");
    let b = check_svg(&dir.join("boundary.svg"), "class 2");
    let (n, misses) = points(&b);
    assert_eq!(n, 60);
    let accuracy = s["accuracy"].as_f64().unwrap();
    assert_eq!(misses, ((1.0 - accuracy) * 60.0).round() as usize);
    check_png(&dir.join("boundary.png"));
}

#[test]
fn minibatches_replay_and_csv_data() {
    // replay gives the rebuild's numbers bit for bit
    let strip = |s: String| -> Vec<String> {
        s.lines()
            .filter(|l| !l.contains("summary"))
            .map(String::from)
            .collect()
    };
    let a = strip(ok(&["train", "--steps", "4", "--json"]));
    let b = strip(ok(&["train", "--steps", "4", "--json", "--mode", "replay"]));
    assert_eq!(a, b);

    // minibatches of 10: the batch's accuracy is a multiple of 1/10; seeded, so repeatable
    let args = [
        "train",
        "--steps",
        "6",
        "--batch",
        "10",
        "--json",
        "--optimizer",
        "momentum",
    ];
    let m = ok(&args);
    for line in &json_lines(&m)[..6] {
        let acc = line["accuracy"].as_f64().unwrap() * 10.0;
        assert!((acc - acc.round()).abs() < 1e-9, "{line}");
    }
    assert_eq!(strip(m), strip(ok(&args)));
    assert_ne!(a[1], strip(ok(&args))[1]);

    // a CSV file with three features: trains; the boundary is skipped with a note
    let mut csv = String::from("a,b,c,label\n");
    for i in 0..20 {
        let x = i as f64 / 10.0 - 1.0;
        csv += &format!("{x},{},{},{}\n", x * x, -x, usize::from(x > 0.0));
    }
    let path = file("three.csv", csv.as_bytes());
    let dir = scratch("csv");
    let out = ok(&[
        "train",
        "--data",
        path.to_str().unwrap(),
        "--steps",
        "3",
        "--layers",
        "4",
        "--activation",
        "tanh",
        "--loss",
        "bce",
        "--plot",
        dir.to_str().unwrap(),
    ]);
    assert!(out.contains("3-4-1 tanh"), "{out}");
    assert!(
        out.contains("no decision boundary plot: the data has 3 features"),
        "{out}"
    );
    assert!(dir.join("loss.png").exists() && !dir.join("boundary.svg").exists());
}

#[test]
fn bad_options_name_the_option_and_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--layers", "16,x"], "--layers must be widths from 1 to"),
        (&["--lr", "-1"], "--lr"),
        (
            &["--lr", "nan"],
            "--lr must be a finite number above 0, got nan",
        ),
        (
            &["--data", "nope"],
            "--data must be one of moons, sklearn-moons, circles, blobs, spiral",
        ),
        (&["--data", "missing/file.csv"], "cannot read the CSV file"),
        (
            &["--loss", "hinge"],
            "possible values: max-margin, mse, bce, softmax-ce",
        ),
        (&["--optimizer", "rmsprop"], "sgd, momentum, adam, adamw"),
        (&["--schedule", "exp"], "constant, linear, step, cosine"),
        (&["--steps", "0"], "--steps"),
        (&["--batch", "0"], "--batch"),
        (
            &["--noise", "-0.5"],
            "--noise must be a finite number of at least 0",
        ),
        (
            &["--data", "blobs", "--classes", "3"],
            "max-margin is for two classes",
        ),
        (
            &["--data", "moons", "--classes", "3"],
            "--classes is for blobs and spiral",
        ),
        (
            &["--mode", "replay", "--batch", "10"],
            "cannot take a new minibatch",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["train"];
        if !args.contains(&"--steps") {
            all.extend(["--steps", "1"]);
        }
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(want), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
    }
}

#[test]
fn sklearn_moons_print_micrograds_own_losses() {
    // micrograd's demo prints step 0 loss 0.8958441028683222 and step 99 loss
    // 0.010978370135492717 (numpy 2.4.6, scikit-learn 1.9.1; /work/shared ANCHORS.md).
    let out = ok(&["train", "--data", "sklearn-moons", "--json"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 101, "{out}");
    assert_eq!(raw_number(lines[0], "loss"), 0.8958441028683222);
    let last = raw_number(lines[99], "loss");
    assert!((last - 0.010978370135492717).abs() < 1e-15, "{last}");
    assert_eq!(raw_number(lines[100], "accuracy"), 1.0);
    let bad = run(&["train", "--data", "sklearn-moons", "--seed", "4294967296"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("np.random.seed takes 0 to 4294967295"),
        "{}",
        bad.stderr
    );
}
