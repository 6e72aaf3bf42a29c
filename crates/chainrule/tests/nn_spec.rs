//! The training spec (its defaults are micrograd's demo: `nn_train.rs` checks the trainer
//! it builds step by step against the demo built by hand): every setting's text is read
//! back as shown,
//! every bad value is refused with a message naming the setting and what it takes, the
//! bounds tighten, settings that do not go together are named, and `docs/train-spec.md`
//! is written from the table.

use chainrule::data::{spiral, Rng, DATASETS};
use chainrule::nn::spec::{field, FIELDS};
use chainrule::nn::{Module, SpecBounds, TrainSpec};

#[test]
fn every_setting_reads_back_what_it_shows() {
    let mut spec = TrainSpec::default();
    for (name, text) in [
        ("dataset", "spiral"),
        ("samples", "60"),
        ("noise", "0.25"),
        ("classes", "3"),
        ("seed", "18446744073709551615"),
        ("layers", "8,4"),
        ("activation", "tanh"),
        ("loss", "softmax-ce"),
        ("optimizer", "adamw"),
        ("schedule", "cosine"),
        ("lr", "0.05"),
        ("lr_end", "0.001"),
        ("l2", "0"),
        ("batch", "16"),
        ("steps", "7"),
        ("mode", "rebuild"),
    ] {
        spec.set(name, text).unwrap();
        assert_eq!(field(name).unwrap().show(&spec), text, "{name}");
    }
    assert_eq!(FIELDS.len(), 16, "every setting is set above");
    // What is shown sets the same spec again.
    let mut again = TrainSpec::default();
    for f in FIELDS {
        again.set(f.name, &f.show(&spec)).unwrap();
    }
    for f in FIELDS {
        assert_eq!(f.show(&again), f.show(&spec), "{}", f.name);
    }
    spec.check().unwrap();
    let mut t = spec.build().unwrap();
    assert_eq!(t.data().classes, 3);
    assert_eq!(t.model().outputs(), 3);
    let first = t.step();
    assert_eq!((first.lr, t.data().len()), (0.05, 60));
}

#[test]
fn defaults_that_depend_on_another_setting_follow_it() {
    let mut spec = TrainSpec::default();
    assert_eq!((spec.noise(), spec.lr(), spec.lr_end()), (0.1, 1.0, 0.1));
    spec.set("dataset", "blobs").unwrap();
    spec.set("optimizer", "adam").unwrap();
    assert_eq!((spec.noise(), spec.lr()), (1.0, 0.01));
    spec.set("dataset", "spiral").unwrap();
    spec.set("optimizer", "momentum").unwrap();
    assert_eq!((spec.noise(), spec.lr(), spec.lr_end()), (0.2, 0.1, 0.01));
    assert_eq!(
        field("noise").unwrap().default_text(),
        "0.1 (blobs 1, spiral 0.2)"
    );
    assert_eq!(
        field("lr").unwrap().default_text(),
        "1 (momentum 0.1, adam 0.01, adamw 0.01)"
    );
    // The generated data is the dataset's own, with its default noise.
    let mut s = TrainSpec::default();
    for (k, v) in [("dataset", "spiral"), ("classes", "3"), ("samples", "30")] {
        s.set(k, v).unwrap();
    }
    assert_eq!(
        s.dataset().unwrap(),
        spiral(30, 3, 0.2, &mut Rng::new(1337))
    );
}

/// Bad values, each refused with the setting's name, what it takes and what it got; the
/// spec is left as it was.
#[test]
fn bad_values_name_the_setting_and_what_it_takes() {
    let cases = [
        ("dataset", "nope", "dataset must be one of moons, sklearn-moons, circles, blobs, spiral, got \"nope\""),
        ("samples", "0", "samples must be a whole number from 1 to 10000000, got 0"),
        ("samples", "1e3", "samples must be a whole number from 1 to 10000000, got 1e3"),
        ("noise", "-0.5", "noise must be a finite number of at least 0, got -0.5"),
        ("noise", "NaN", "noise must be a finite number of at least 0, got NaN"),
        ("classes", "0", "classes must be a whole number from 1 to 1000, got 0"),
        ("seed", "-1", "seed must be a whole number from 0 to 18446744073709551615, got -1"),
        ("layers", "16,x", "layers must be widths from 1 to 100000 separated by commas (e.g. 16,16), at most 100 layers, or none, got 16,x"),
        ("layers", "16,0", "got 16,0"),
        ("layers", "16,", "got 16,"),
        ("layers", "1.5", "got 1.5"),
        ("activation", "linear", "activation must be one of tanh, sigmoid, relu, softplus, leaky_relu, got \"linear\""),
        ("loss", "hinge", "loss must be one of max-margin, mse, bce, softmax-ce, got \"hinge\""),
        ("optimizer", "rmsprop", "optimizer must be one of sgd, momentum, adam, adamw, got \"rmsprop\""),
        ("schedule", "exp", "schedule must be one of constant, linear, step, cosine, got \"exp\""),
        ("lr", "0", "lr must be a finite number above 0, got 0"),
        ("lr", "inf", "lr must be a finite number above 0, got inf"),
        ("lr", "fast", "lr must be a finite number above 0, got fast"),
        ("lr_end", "-1", "lr_end must be a finite number of at least 0, got -1"),
        ("l2", "-1e-9", "l2 must be a finite number of at least 0, got -1e-9"),
        ("batch", "0", "batch must be a whole number from 1, or all, got 0"),
        ("steps", "0", "steps must be a whole number from 1 to 1000000000, got 0"),
        ("mode", "fast", "mode must be one of auto, rebuild, replay, got \"fast\""),
    ];
    for (name, value, want) in cases {
        let mut spec = TrainSpec::default();
        let e = spec.set(name, value).unwrap_err();
        assert!(e.to_string().contains(want), "{name}={value}: {e}");
        assert_eq!(e.field(), Some(field(name).unwrap().name));
        for f in FIELDS {
            assert_eq!(
                f.show(&spec),
                f.show(&TrainSpec::default()),
                "{name}={value}"
            );
        }
    }
    let e = TrainSpec::default().set("speed", "1").unwrap_err();
    assert_eq!(e.field(), None);
    assert!(e
        .to_string()
        .starts_with("there is no setting \"speed\"; the settings are dataset, samples"));
}

#[test]
fn typed_settings_are_checked_as_the_text_ones() {
    let spec = TrainSpec {
        steps: 0,
        ..TrainSpec::default()
    };
    assert_eq!(
        spec.check().unwrap_err().to_string(),
        "steps must be a whole number from 1 to 1000000000, got 0"
    );
    assert!(spec.build().is_err() && spec.dataset().is_err());
    let spec = TrainSpec {
        lr: Some(f64::NAN),
        ..TrainSpec::default()
    };
    assert!(spec
        .build()
        .err()
        .unwrap()
        .to_string()
        .starts_with("lr must be"));
}

#[test]
fn settings_that_do_not_go_together_are_named() {
    let render = |pairs: &[(&str, &str)]| {
        let mut spec = TrainSpec::default();
        for (k, v) in pairs {
            spec.set(k, v).unwrap();
        }
        let e = spec.build().err().unwrap();
        (e.field(), e.render(|f| format!("--{f}")))
    };
    assert_eq!(
        render(&[("classes", "3")]),
        (
            Some("classes"),
            "moons has 2 classes; --classes is for blobs and spiral".into()
        )
    );
    assert_eq!(
        render(&[("schedule", "constant"), ("lr_end", "0.1")]),
        (
            Some("lr_end"),
            "--lr_end is for the linear and cosine schedules, not constant; drop it".into()
        )
    );
    let (f, m) = render(&[("mode", "replay"), ("batch", "10")]);
    assert_eq!(f, Some("mode"));
    assert!(
        m.contains("cannot take a new minibatch each step; drop --batch or use --mode auto"),
        "{m}"
    );
    let (f, m) = render(&[("dataset", "blobs"), ("classes", "3")]);
    assert_eq!(f, Some("loss"));
    assert!(
        m.contains("--loss max-margin: max-margin is for two classes, the data has 3"),
        "{m}"
    );
    let (f, m) = render(&[("layers", "100000,100000")]);
    assert_eq!(f, Some("layers"));
    assert!(
        m.contains("10000500001 parameters, more than 100000000"),
        "{m}"
    );
    let (f, m) = render(&[("samples", "10000000"), ("layers", "64,64")]);
    assert_eq!(f, Some("batch"));
    assert!(
        m.contains("graph too large for one step") && m.contains("(--batch)"),
        "{m}"
    );
    // A batch of at least the data's size is the full batch, and replay goes with it.
    for pairs in [
        &[("batch", "100"), ("mode", "replay")][..],
        &[("batch", "1000")],
    ] {
        let mut spec = TrainSpec::default();
        for (k, v) in pairs {
            spec.set(k, v).unwrap();
        }
        spec.build().unwrap().step();
    }
}

/// micrograd's own data (`sklearn-moons`) comes with micrograd's own weights, from a seed
/// that fits NumPy's 32 bits; choices are read in either case.
#[test]
fn sklearn_moons_is_micrograds_data_and_weights() {
    use chainrule::data::sklearn_moons;
    use chainrule::nn::{Activation::*, Mlp};
    let mut spec = TrainSpec::default();
    spec.set("dataset", "SKLEARN-MOONS").unwrap();
    let t = spec.build().unwrap();
    assert_eq!(t.data(), &sklearn_moons(100, 0.1, 1337));
    let micrograd = Mlp::micrograd(2, &[(16, Relu), (16, Relu), (1, Linear)], 1337);
    assert_eq!(t.model(), &micrograd);
    spec.set("seed", "4294967296").unwrap();
    let e = spec.build().err().unwrap();
    assert_eq!(e.field(), Some("seed"));
    assert!(
        e.to_string()
            .contains("np.random.seed takes 0 to 4294967295"),
        "{e}"
    );
}

#[test]
fn tighter_bounds_tighten_every_check_and_message() {
    let small = SpecBounds {
        samples: 500,
        steps: 50,
        width: 8,
        hidden_layers: 2,
        min_classes: 3,
        max_classes: 5,
        noise: 2.0,
        ..SpecBounds::LIBRARY
    };
    let mut spec = TrainSpec::with_bounds(small);
    for (name, value, want) in [
        (
            "steps",
            "51",
            "steps must be a whole number from 1 to 50, got 51",
        ),
        (
            "samples",
            "501",
            "samples must be a whole number from 1 to 500, got 501",
        ),
        (
            "layers",
            "9",
            "layers must be widths from 1 to 8 separated by commas (e.g. 16,16), at most 2 layers",
        ),
        ("layers", "1,1,1", "at most 2 layers"),
        (
            "noise",
            "2.5",
            "noise must be a number from 0 to 2, got 2.5",
        ),
        (
            "classes",
            "6",
            "classes must be a whole number from 3 to 5, got 6",
        ),
    ] {
        let e = spec.set(name, value).unwrap_err().to_string();
        assert!(e.contains(want), "{name}={value}: {e}");
    }
    spec.set("steps", "50").unwrap();
    // Bounds never loosen past the library's.
    let loose = SpecBounds {
        samples: usize::MAX,
        ..SpecBounds::LIBRARY
    };
    assert_eq!(TrainSpec::with_bounds(loose).bounds, SpecBounds::LIBRARY);
    assert_eq!(small.tighter(SpecBounds::LIBRARY), small);
}

#[test]
fn the_dataset_table_makes_every_dataset_with_its_classes() {
    for d in DATASETS {
        let mut spec = TrainSpec::default();
        spec.set("dataset", d.name).unwrap();
        let want = d.classes.unwrap_or(3);
        if d.classes.is_none() {
            spec.set("classes", "3").unwrap();
        }
        let data = spec.dataset().unwrap();
        assert_eq!((data.len(), data.classes), (100, want), "{}", d.name);
        assert!(d.noise >= 0.0 && !d.help.is_empty());
    }
}

/// `docs/train-spec.md` is written from the table. `UPDATE_GOLDEN=1` rewrites it;
/// otherwise a stale file fails this test.
#[test]
fn docs_train_spec_md_is_generated_from_the_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/train-spec.md");
    let s = format!(
        "# Training settings\n\n\
         Generated from the training spec (`crates/chainrule/src/nn/spec.rs`) by \
         `UPDATE_GOLDEN=1 cargo test -p chainrule --test nn_spec`; do not edit by hand.\n\n\
         Every training run (`chainrule train`, the live page, the WebAssembly engine, \
         `chainrule.train` in Python) reads these settings, with these defaults and bounds. \
         The defaults are micrograd's demo. The live page holds training to tighter bounds \
         (at most 1000 samples and steps, 4 hidden layers of 64, 2 to 8 classes, noise up \
         to 10).\n\n{}",
        TrainSpec::default().markdown()
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &s).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        on_disk, s,
        "docs/train-spec.md is stale: rerun with UPDATE_GOLDEN=1"
    );
}
