//! The README's layout section names every source file of the library, and nothing that
//! is not there: a reader who follows it finds each idea where it says.

use std::collections::BTreeSet;
use std::path::Path;

/// The README's `## Layout` code block.
fn layout_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md is readable");
    let start = readme
        .find("## Layout")
        .expect("the README has a Layout section");
    let rest = &readme[start..];
    let open = rest.find("```text").expect("the layout is a text block") + "```text".len();
    let close = open + rest[open..].find("```").expect("the block is closed");
    rest[open..close].to_string()
}

/// Every `.rs` file under `dir`, as `folder/file.rs` relative to `src/`.
fn sources(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let entry = entry.expect("a directory entry");
        let name = entry.file_name().to_string_lossy().to_string();
        if entry.path().is_dir() {
            sources(&entry.path(), &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".rs") {
            out.insert(format!("{prefix}{name}"));
        }
    }
}

#[test]
fn the_layout_names_every_source_file_under_its_folder() {
    let block = layout_block();
    let mut files = BTreeSet::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut files,
    );
    // Each folder's files are listed on the lines after the folder's own line, up to the
    // next line that starts a folder at the same depth.
    let mut folder = String::new();
    let mut listed = BTreeSet::new();
    for line in block.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let first = trimmed.split_whitespace().next().unwrap_or("");
        if indent == 2 && first.ends_with('/') {
            folder = first.to_string();
        } else if indent == 2 {
            folder.clear();
        } else if indent == 0 {
            folder.clear();
            continue;
        }
        for word in trimmed.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')') {
            if word.ends_with(".rs") {
                listed.insert(format!("{folder}{word}"));
            }
        }
    }
    let missing: Vec<_> = files
        .iter()
        .filter(|f| !listed.contains(*f) && !f.ends_with("/mod.rs"))
        .collect();
    let extra: Vec<_> = listed.difference(&files).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "README layout is out of date: not listed {missing:?}, listed but absent {extra:?}"
    );
}
