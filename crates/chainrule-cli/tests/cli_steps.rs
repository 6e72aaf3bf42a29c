//! `chainrule steps`: the site on disk, its options and its errors.

mod common;
use common::{file, run};
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-steps")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `width` and `height` of an SVG file's root.
fn size(path: &std::path::Path) -> (f64, f64) {
    let text = std::fs::read_to_string(path).unwrap();
    let head = &text[..text.find('>').unwrap()];
    let attr = |n: &str| -> f64 {
        let at = head.find(&format!(" {n}=\"")).unwrap() + n.len() + 3;
        head[at..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

#[test]
fn notebook_site_has_the_page_and_a_drawing_per_step() {
    let dir = scratch("notebook");
    let out = run(&["steps", "-o", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = (0..=7).map(|k| format!("step-{k:02}.svg")).collect();
    want.insert(0, "index.html".into());
    assert_eq!(names, want);
    assert!(out
        .stdout
        .contains("wrote 8 drawings (before backward, then 7 steps)"));
    assert!(out
        .stdout
        .contains(&dir.join("index.html").display().to_string()));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("dL/da = dL/de · de/da = -2.0000 · -3.0000 = 6.0000"));
    let last = std::fs::read_to_string(dir.join("step-07.svg")).unwrap();
    for g in ["6.0000", "-4.0000", "-2.0000", "4.0000", "1.0000"] {
        assert!(last.contains(&format!(">grad {g}<")), "{g}");
    }
    // Left to right: the notebook's drawing is wide.
    let (w, h) = size(&dir.join("step-03.svg"));
    assert!(w > 3.0 * h, "{w}x{h}");
}

#[test]
fn program_from_a_file_and_top_to_bottom() {
    let dir = scratch("tb");
    let prog = file("steps-neuron.cr", b"x = 0.5\nw = -2\ny = tanh(w*x)\n");
    let out = run(&[
        "steps",
        prog.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "--rankdir",
        "tb",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("then 4 steps"), "{}", out.stdout);
    assert!(dir.join("step-04.svg").exists() && !dir.join("step-05.svg").exists());
    let (w, h) = size(&dir.join("step-04.svg"));
    let lr = scratch("lr");
    let out = run(&["steps", prog.to_str().unwrap(), "-o", lr.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (lw, lh) = size(&lr.join("step-04.svg"));
    assert!(
        h > lh && w < lw,
        "top to bottom: {w}x{h}; left to right: {lw}x{lh}"
    );
    // -e works too, and writes into an existing directory.
    let out = run(&["steps", "-e", "a = 2; b = a*a", "-o", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !dir.join("step-03.svg").exists(),
        "the old site's extra steps are gone"
    );
}

#[test]
fn errors_exit_2_with_a_clear_message() {
    let out = run(&["steps"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--out <DIR>"), "{}", out.stderr);

    let dir = scratch("bad");
    let out = run(&["steps", "-e", "a = 2; b = a*", "-o", dir.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("<-e>:1:"), "{}", out.stderr);
    assert!(!dir.exists(), "nothing written for a bad program");

    let blocker = file("steps-not-a-dir", b"a file");
    let out = run(&["steps", "-o", blocker.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("steps-not-a-dir") && out.stderr.contains("could not write"),
        "{}",
        out.stderr
    );

    let big: String = (0..250)
        .map(|i| format!("x{i} = {i}\n"))
        .collect::<String>()
        + "s = "
        + &(0..250)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join(" + ");
    let out = run(&["steps", "-e", &big, "-o", dir.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("over the step-through limit of 200"),
        "{}",
        out.stderr
    );
    assert!(!dir.exists());
}

#[test]
fn help_shows_an_example() {
    let out = run(&["steps", "--help"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("chainrule steps -o steps"));
    assert!(out.stdout.contains("--rankdir"));
    assert!(out.stdout.contains("index.html"));
}
