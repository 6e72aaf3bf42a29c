//! The training stepper without a transport: micrograd's demo steps to 100% accuracy,
//! frames are numbered and deterministic, Play stops at the last step with a note, a
//! diverging run stops itself, Reset gives step 0's frame again, and bad requests are
//! refused with the spec's messages.

use chainrule_page::{control_request, Action, Control, ErrorKind, Limits, Session, TrainRequest};
use serde_json::{json, Value};

fn session(body: Value) -> Session {
    let limits = Limits::default();
    Session::new(TrainRequest::from_json(&body, &limits).unwrap(), &limits).unwrap()
}

fn refusal(body: Value) -> String {
    let e = TrainRequest::from_json(&body, &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    e.body["error"]["message"].as_str().unwrap().to_string()
}

#[test]
fn micrograds_demo_steps_to_full_accuracy_frame_by_frame() {
    let mut s = session(json!({}));
    let start = s.started(7);
    assert_eq!(start["id"], 7);
    assert_eq!(start["points"].as_array().unwrap().len(), 100);
    assert_eq!(start["config"]["lr"], 1.0);
    let first = s.frame();
    assert_eq!(
        (first["frame"].clone(), first["step"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(first["grid"]["scores"].as_array().unwrap().len(), 32 * 32);
    assert_eq!(s.step(40), 40);
    let f = s.frame();
    assert_eq!(
        (f["frame"].clone(), f["step"].clone()),
        (json!(1), json!(40))
    );
    assert_eq!(f["history"].as_array().unwrap().len(), 40);
    s.act(Action::Play);
    assert!(s.playing());
    // Asked for more than are left: stops at the last, says so once, stops playing.
    assert_eq!(s.step(1000), 60);
    assert!(!s.playing() && s.done());
    let last = s.frame();
    assert_eq!(last["step"], 100);
    assert_eq!(last["accuracy"], 1.0);
    assert_eq!(
        last["note"],
        "done: all the steps ran; Reset to start again"
    );
    assert_eq!(s.frame()["note"], Value::Null);
    s.act(Action::Play);
    assert!(!s.playing(), "nothing left to play");
    // The graph of one point through the trained model; a point that is not there.
    let g = s.point(3).unwrap();
    assert_eq!(
        (g["output"]["name"].clone(), g["point"]["index"].clone()),
        (json!("loss"), json!(3))
    );
    let e = s.point(100).unwrap_err();
    assert!(e.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no data point 100"));
}

#[test]
fn reset_gives_step_0_again_and_frames_are_deterministic() {
    let mut a = session(
        json!({"dataset": "blobs", "classes": 3, "loss": "softmax-ce", "optimizer": "adam"}),
    );
    let mut b = session(
        json!({"dataset": "blobs", "classes": 3, "loss": "softmax-ce", "optimizer": "adam"}),
    );
    // A frame's text but its number.
    let text = |mut f: Value| {
        f["frame"] = Value::Null;
        f.to_string()
    };
    let first = a.frame();
    assert_eq!(first["multiclass"], true);
    a.step(5);
    a.act(Action::Reset);
    let again = a.frame();
    assert_eq!(again["frame"], 1);
    assert_eq!(text(again), text(first));
    a.step(3);
    b.act(Action::Step);
    b.step(2);
    assert_eq!(text(a.frame()), text(b.frame()));
}

#[test]
fn a_diverging_run_stops_playing_and_names_the_first_non_finite_node() {
    let mut s = session(json!({"lr": 1e300, "steps": 10}));
    s.act(Action::Play);
    let taken = s.step(10);
    assert!(taken < 10 && !s.playing(), "stopped after {taken} steps");
    let f = s.frame();
    let why = f["non_finite"].as_str().unwrap();
    assert!(
        why.contains("diverged") && why.contains("the first non-finite number is the"),
        "{why}"
    );
    s.act(Action::Play);
    assert!(!s.playing(), "a diverged run does not play on");
}

#[test]
fn a_finite_run_that_overshoots_is_warned_of_and_a_good_one_is_not() {
    // micrograd's demo at lr 30: the loss climbs to about 4e27 and stays there, every
    // number finite, so nothing is "non-finite" and playing does not stop by itself.
    let mut s = session(json!({"lr": 30, "schedule": "constant", "steps": 20}));
    assert_eq!(
        s.frame()["warning"],
        Value::Null,
        "no warning before a step"
    );
    s.step(2);
    // Two steps: not yet "grown" (a second step's overshoot is often won back), but the
    // jump is named.
    let jump = s.frame()["warning"].as_str().unwrap().to_string();
    assert!(
        jump.starts_with("the loss jumped to ") && jump.contains("at step 2"),
        "{jump}"
    );
    s.step(18);
    let f = s.frame();
    assert_eq!(f["non_finite"], Value::Null);
    let loss = f["loss"].as_f64().unwrap();
    let first = f["history"][0][1].as_f64().unwrap();
    assert!(loss > 1e20 * first, "{loss} from {first}");
    let why = f["warning"].as_str().unwrap();
    assert!(
        why.starts_with(&format!("the loss has grown from {first:.4} to "))
            && why.contains("by step 20")
            && why.ends_with("try a smaller learning rate"),
        "{why}"
    );
    // micrograd's demo as it is: the loss falls, so no warning at any frame.
    let mut s = session(json!({}));
    for _ in 0..10 {
        s.step(10);
        assert_eq!(s.frame()["warning"], Value::Null);
    }
    // A NaN is named as such, not as a warning.
    let mut s = session(json!({"lr": 1e300, "steps": 10}));
    s.step(10);
    let f = s.frame();
    assert!(f["non_finite"].is_string() && f["warning"].is_null());
}

#[test]
fn requests_are_read_as_the_spec_reads_them() {
    let limits = Limits::default();
    let page = json!({"dataset": "moons", "noise": 0.1, "samples": 100, "seed": 1337,
        "activation": "relu", "loss": "max-margin", "optimizer": "sgd", "lr": 1.0, "batch": 0,
        "steps": 100, "layers": [16, 16], "classes": 2, "pace": 0});
    let r = TrainRequest::from_json(&page, &limits).unwrap();
    assert_eq!((r.spec.batch, r.pace), (None, 0.0));
    assert_eq!(session(page).started(1)["config"]["batch"], 0);
    let r = TrainRequest::from_json(
        &json!({"batch": 10, "layers": [], "schedule": "cosine"}),
        &limits,
    )
    .unwrap();
    assert_eq!(
        (r.spec.batch, r.spec.layers.len(), r.spec.schedule.name),
        (Some(10), 0, "cosine")
    );
    for (body, want) in [
        (
            json!({"steps": 0}),
            "steps must be a whole number from 1 to 1000, got 0",
        ),
        (
            json!({"samples": -1}),
            "samples must be a whole number from 1 to 1000, got -1",
        ),
        (
            json!({"layers": [100000]}),
            "layers must be widths from 1 to 64",
        ),
        (json!({"layers": [1.5]}), "got 1.5"),
        (
            json!({"noise": "lots"}),
            "noise must be a number from 0 to 10, got lots",
        ),
        (
            json!({"lr": true}),
            "lr must be a finite number above 0, got true",
        ),
        (
            json!({"classes": 3}),
            "moons has 2 classes; classes is for blobs and spiral",
        ),
        (
            json!({"speed": 1}),
            "there is no training setting \"speed\"; the settings are dataset, samples",
        ),
        (
            json!({"pace": -5}),
            "pace must be 0 (as fast as possible) to 10000 steps a second",
        ),
        (json!([1, 2]), "send an object of training settings"),
    ] {
        let got = refusal(body.clone());
        assert!(got.contains(want), "{body}: {got}");
    }
    // Settings that cannot train are refused when the session is made.
    let r = TrainRequest::from_json(&json!({"dataset": "spiral", "classes": 3}), &limits).unwrap();
    let e = Session::new(r, &limits).err().unwrap();
    assert!(e.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("max-margin is for two classes"));
}

#[test]
fn control_requests_are_actions_or_points() {
    for (body, want) in [
        (json!({"action": "play"}), Control::Act(Action::Play)),
        (json!({"action": "pause"}), Control::Act(Action::Pause)),
        (json!({"action": "step"}), Control::Act(Action::Step)),
        (json!({"action": "reset"}), Control::Act(Action::Reset)),
        (json!({"point": 4}), Control::Point(4)),
    ] {
        assert_eq!(control_request(&body).unwrap(), want);
    }
    for body in [
        json!({"action": "fly"}),
        json!({}),
        json!({"point": -1}),
        json!({"action": 3}),
    ] {
        assert_eq!(
            control_request(&body).unwrap_err().kind,
            ErrorKind::BadRequest,
            "{body}"
        );
    }
}
