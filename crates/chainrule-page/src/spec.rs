//! The `train_spec` question: every training setting the page may ask for, as the
//! library's one training spec has it (`chainrule::nn::spec`): its default, what it takes
//! within the page's bounds, its choices, and the defaults that follow a choice (a
//! dataset's noise, an optimizer's rate). The page builds its settings form from this
//! answer; nothing about training is written twice.

use crate::{num, Limits};
use chainrule::data::DATASETS;
use chainrule::nn::spec::FIELDS;
use chainrule::nn::{TrainSpec, OPTIMIZERS, SCHEDULES};
use serde_json::{json, Value};

/// The steps a second Play goes at when a request does not say (the page's pace).
pub const PACE_DEFAULT: f64 = 40.0;

/// The most steps a second a request may ask Play to go at.
pub const PACE_MAX: f64 = 10_000.0;

/// The training spec as the page may use it (see the module's docs).
///
/// ```
/// let spec = chainrule_page::train_spec(&chainrule_page::Limits::default());
/// let steps = spec["fields"].as_array().unwrap().iter().find(|f| f["name"] == "steps").unwrap();
/// assert_eq!((steps["default"].as_str(), steps["allowed"].as_str()),
///            (Some("100"), Some("a whole number from 1 to 1000")));
/// ```
pub fn train_spec(limits: &Limits) -> Value {
    let defaults = TrainSpec::with_bounds(limits.train);
    let b = &defaults.bounds;
    let fields: Vec<Value> = FIELDS
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "help": f.help,
                "value_name": f.value_name,
                "default": f.show(&defaults),
                "default_text": f.default_text(),
                "allowed": f.allowed(b),
                "choices": f.choice_help().map(|cs| cs.iter()
                    .map(|(name, help)| json!({"name": name, "help": help}))
                    .collect::<Vec<_>>()),
            })
        })
        .collect();
    let datasets: Vec<Value> = DATASETS
        .iter()
        .map(|d| json!({"name": d.name, "help": d.help, "noise": d.noise, "classes": d.classes}))
        .collect();
    let optimizers: Vec<Value> = OPTIMIZERS
        .iter()
        .map(|o| json!({"name": o.name, "help": o.help, "lr": o.lr}))
        .collect();
    let schedules: Vec<Value> = SCHEDULES
        .iter()
        .map(|s| json!({"name": s.name, "help": s.help, "ends": s.ends}))
        .collect();
    json!({
        "ok": true,
        "fields": fields,
        "datasets": datasets,
        "optimizers": optimizers,
        "schedules": schedules,
        "bounds": {
            "samples": b.samples, "steps": b.steps, "width": b.width,
            "hidden_layers": b.hidden_layers, "min_classes": b.min_classes,
            "max_classes": b.max_classes, "noise": num(b.noise),
        },
        "pace": {"default": PACE_DEFAULT, "max": PACE_MAX},
    })
}
