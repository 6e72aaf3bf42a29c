//! The engine's `.wasm` for tests, shared by the WebAssembly engine's tests under Node
//! (crates/chainrule-wasm/tests) and the static site's browser tests
//! (crates/chainrule-serve/tests), each of which includes this file with `#[path]`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The engine's `.wasm`: `CHAINRULE_WASM` when set (`.ci/run` points it at the site's
/// optimised engine), else built now (`cargo build --profile wasm --target
/// wasm32-unknown-unknown -p chainrule-wasm`).
pub fn wasm_file() -> PathBuf {
    if let Some(p) = std::env::var_os("CHAINRULE_WASM") {
        return p.into();
    }
    let args = [
        "build",
        "--profile",
        "wasm",
        "--target",
        "wasm32-unknown-unknown",
    ];
    let status = Command::new(env!("CARGO"))
        .args(args)
        .args(["-p", "chainrule-wasm"])
        .current_dir(root())
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "cannot build the engine for wasm32-unknown-unknown; scripts/build-site.sh builds it \
         (with Debian's toolchain where rustup has no target): point CHAINRULE_WASM at it"
    );
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or(root().join("target"), PathBuf::from);
    target.join("wasm32-unknown-unknown/wasm/chainrule_wasm.wasm")
}
