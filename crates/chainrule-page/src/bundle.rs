//! A small bundler for the page's ES modules: the modules reachable from an entry, inlined
//! into one script, for homes of the page that cannot load modules one by one (the page
//! in one file opened from disk, the embed's one script tag, the Jupyter widget's one ES
//! module).
//!
//! Each module's top level runs in a scope of its own, once, dependencies first, and
//! hands its exports on as an object; each import becomes a `const { a, b } = …` of that
//! object. It reads the forms the page's modules are written in and refuses any other
//! with an error naming the file, line and column:
//!
//! - `import { a, b } from "./file.js";` (relative paths only);
//! - `export function f`, `export async function f`, `export class C`, `export const X =`;
//! - `export default …` in the entry of a [`Format::Module`] bundle, which keeps it.
//!
//! Dynamic `import()`, `import.meta`, default and namespace imports, renaming (`as`),
//! `export { … }`, `export let` and re-exports are refused: the bundle has no module
//! loader to give them meaning.
//!
//! ```
//! use chainrule_page::bundle::{bundle, Format};
//! let js = bundle("main.js", Format::Script).unwrap();
//! assert!(js.contains("// ---- dom.js ----") && !js.contains("import {"));
//! ```

use crate::jsscan::{keywords, Keyword};
use std::collections::HashMap;
use std::fmt;

/// What kind of script the bundle is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A classic script (`<script>`, a worker's `importScripts`): everything inside one
    /// function, so nothing reaches the page's global scope; the entry may not export.
    Script,
    /// An ES module (`<script type="module">`, a blob-URL module worker, anywidget's
    /// `_esm`): the entry's own top level stays the module's, its exports included.
    Module,
}

/// A bundle that cannot be made: where (a file of the page, and a 1-based line and column
/// when it is about a place in it) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleError {
    /// The file at fault, as the bundle's imports name it from the entry.
    pub file: String,
    /// Its line and column (1-based, columns in characters), when the error is at a place.
    pub at: Option<(usize, usize)>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for BundleError {}

/// The bundle of `entry` and the modules it reaches, from the page's own files
/// ([`crate::web::FILES`]).
pub fn bundle(entry: &str, format: Format) -> Result<String, BundleError> {
    bundle_with(entry, format, &|path| {
        crate::web::file(path).map(|f| f.text.to_string())
    })
}

/// The bundle of `entry` and the modules it reaches, each read by `read` (a path relative
/// to the entry's folder, without `./`; `None`: there is no such file).
///
/// ```
/// use chainrule_page::bundle::{bundle_with, Format};
/// let files = |p: &str| match p {
///     "main.js" => Some("import { twice } from \"./lib/twice.js\";\nconsole.log(twice(21));".into()),
///     "lib/twice.js" => Some("export function twice(x) { return 2 * x; }".into()),
///     _ => None,
/// };
/// let js = bundle_with("main.js", Format::Script, &files).unwrap();
/// assert!(js.contains("const { twice } = __cr_m0;"));
/// let e = bundle_with("lib/twice.js", Format::Script, &|_| Some("import * as m from \"./x.js\";".into()));
/// assert_eq!(
///     e.unwrap_err().to_string(),
///     "lib/twice.js:1:1: `import * as` (a namespace import) is not a form the page's modules use; \
///      write `import { a, b } from \"./file.js\";`"
/// );
/// ```
pub fn bundle_with(
    entry: &str,
    format: Format,
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<String, BundleError> {
    let mut b = Bundler {
        read,
        done: HashMap::new(),
        order: Vec::new(),
        visiting: Vec::new(),
    };
    let entry = normalize(entry).ok_or_else(|| BundleError {
        file: entry.into(),
        at: None,
        message: "the entry must be a path inside the page's folder".into(),
    })?;
    b.visit(&entry, format)?;
    let mut out = String::new();
    if format == Format::Script {
        out.push_str("(() => {\n\"use strict\";\n");
    }
    let last = b.order.len() - 1;
    for (k, path) in b.order.iter().enumerate() {
        let m = &b.done[path];
        out.push_str(&format!("// ---- {path} ----\n"));
        if k == last {
            out.push_str(&m.text);
        } else {
            out.push_str(&format!(
                "const {} = (() => {{\n{}\nreturn {{ {} }};\n}})();\n",
                var(m.index),
                m.text,
                m.exports.join(", ")
            ));
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    if format == Format::Script {
        out.push_str("})();\n");
    }
    Ok(out)
}

/// The variable that holds module `k`'s exports.
fn var(k: usize) -> String {
    format!("__cr_m{k}")
}

/// A module read, rewritten, with what it exports.
struct Module {
    index: usize,
    text: String,
    exports: Vec<String>,
}

struct Bundler<'r> {
    read: &'r dyn Fn(&str) -> Option<String>,
    done: HashMap<String, Module>,
    /// The modules in the order they run: each after the ones it imports.
    order: Vec<String>,
    /// The chain of imports being followed, to name a cycle.
    visiting: Vec<String>,
}

/// An import statement: where it is, what it takes, from where.
struct Import {
    span: std::ops::Range<usize>,
    names: Vec<String>,
    from: String,
}

impl Bundler<'_> {
    /// Reads `path`, the modules it imports first, and rewrites it.
    fn visit(&mut self, path: &str, format: Format) -> Result<(), BundleError> {
        if self.done.contains_key(path) {
            return Ok(());
        }
        if let Some(k) = self.visiting.iter().position(|p| p == path) {
            let mut cycle = self.visiting[k..].to_vec();
            cycle.push(path.into());
            return Err(error(
                path,
                None,
                format!(
                    "the imports go round in a circle ({}); a bundle needs each module after the ones it imports",
                    cycle.join(" → ")
                ),
            ));
        }
        let src = (self.read)(path)
            .ok_or_else(|| error(path, None, "there is no such file in the page".into()))?;
        let entry = self.visiting.is_empty();
        self.visiting.push(path.into());
        let found =
            keywords(&src).map_err(|(at, why)| error(path, Some(line_col(&src, at)), why))?;
        let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        let mut exports = Vec::new();
        for k in found {
            let at = |i: usize| Some(line_col(&src, i));
            if k.export {
                let keep = entry && format == Format::Module;
                match export(&src, k).map_err(|why| error(path, at(k.at), why))? {
                    Export::Default if keep => {}
                    Export::Default => {
                        return Err(error(path, at(k.at), default_refused(entry)));
                    }
                    Export::Named { .. } if entry && format == Format::Script => {
                        return Err(error(
                            path,
                            at(k.at),
                            "the entry of a script exports a name, which nothing can import; \
                             bundle it as a module, or drop the `export`"
                                .into(),
                        ));
                    }
                    Export::Named { .. } if keep => {}
                    Export::Named { keyword, name } => {
                        edits.push((k.at..keyword, String::new()));
                        exports.push(name);
                    }
                }
                continue;
            }
            let imp = import(&src, k).map_err(|why| error(path, at(k.at), why))?;
            let target = resolve(path, &imp.from).ok_or_else(|| {
                error(
                    path,
                    at(k.at),
                    format!(
                        "cannot import {:?}: the page's modules import files of the page by a relative path (\"./file.js\")",
                        imp.from
                    ),
                )
            })?;
            self.visit(&target, format)?;
            let m = &self.done[&target];
            if let Some(n) = imp.names.iter().find(|n| !m.exports.contains(n)) {
                return Err(error(
                    path,
                    at(k.at),
                    format!("{target} does not export `{n}`"),
                ));
            }
            let lines = src[imp.span.clone()].matches('\n').count();
            let with = format!(
                "const {{ {} }} = {};{}",
                imp.names.join(", "),
                var(m.index),
                "\n".repeat(lines)
            );
            edits.push((imp.span, with));
        }
        let mut text = src;
        for (span, with) in edits.into_iter().rev() {
            text.replace_range(span, &with);
        }
        self.visiting.pop();
        let index = self.order.len();
        self.order.push(path.into());
        self.done.insert(
            path.into(),
            Module {
                index,
                text,
                exports,
            },
        );
        Ok(())
    }
}

fn default_refused(entry: bool) -> String {
    if entry {
        "`export default` in the entry of a script: bundle it as a module to keep it".into()
    } else {
        "`export default` is not a form the page's modules use; export a name \
         (`export function f`) and import it by that name"
            .into()
    }
}

fn error(file: &str, at: Option<(usize, usize)>, message: String) -> BundleError {
    BundleError {
        file: file.into(),
        at,
        message,
    }
}

/// The 1-based line and column (in characters) of byte `at` of `src`.
fn line_col(src: &str, at: usize) -> (usize, usize) {
    let before = &src[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[start..].chars().count() + 1)
}

/// `path` with `.` and `..` resolved; `None` if it leaves the page's folder.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The file that `spec`, imported by `from`, names: relative paths only.
fn resolve(from: &str, spec: &str) -> Option<String> {
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        return None;
    }
    let dir = from.rfind('/').map_or("", |n| &from[..=n]);
    normalize(&format!("{dir}{spec}"))
}

/// A little cursor over a statement's text.
struct Cursor<'s> {
    src: &'s str,
    i: usize,
}

impl<'s> Cursor<'s> {
    fn space(&mut self) -> &mut Self {
        let rest = &self.src[self.i..];
        self.i += rest.len() - rest.trim_start().len();
        self
    }

    fn peek(&self) -> Option<char> {
        self.src[self.i..].chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        let ok = self.src[self.i..].starts_with(s);
        if ok {
            self.i += s.len();
        }
        ok
    }

    /// The name that starts here, if one does (and steps over it).
    fn name(&mut self) -> Option<&'s str> {
        let rest = &self.src[self.i..];
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        let starts = rest.chars().next().is_some_and(|c| !c.is_ascii_digit());
        (len > 0 && starts).then(|| {
            self.i += len;
            &rest[..len]
        })
    }

    /// A quoted string that starts here (without its quotes).
    fn string(&mut self) -> Option<&'s str> {
        let q = self.peek().filter(|&c| c == '"' || c == '\'')?;
        let rest = &self.src[self.i + 1..];
        let end = rest.find([q, '\n', '\\'])?;
        (rest[end..].starts_with(q)).then(|| {
            self.i += end + 2;
            &rest[..end]
        })
    }
}

const IMPORT_FORM: &str = "write `import { a, b } from \"./file.js\";`";

/// The import statement at `k`, in the one form the page's modules use.
fn import(src: &str, k: Keyword) -> Result<Import, String> {
    let mut c = Cursor { src, i: k.at + 6 };
    let refused =
        |what: &str| format!("{what} is not a form the page's modules use; {IMPORT_FORM}");
    match c.space().peek() {
        Some('(') => {
            return Err(format!(
                "a dynamic `import()` cannot be bundled (the bundle has no module loader); {IMPORT_FORM} at the top"
            ))
        }
        Some('.') => {
            return Err(
                "`import.meta` cannot be bundled (the bundle has no URL of its own); pass the URL in"
                    .into(),
            )
        }
        Some('*') => return Err(refused("`import * as` (a namespace import)")),
        Some('"' | '\'') => return Err(refused("a bare `import \"…\"` (for its effects)")),
        Some('{') if k.depth == 0 => {}
        Some('{') => return Err(refused("an `import` inside a block")),
        _ => return Err(refused("a default import (`import x from`)")),
    }
    c.eat("{");
    let mut names = Vec::new();
    loop {
        if c.space().eat("}") {
            break;
        }
        let name = c.name().ok_or_else(|| refused("this import list"))?;
        if c.space().peek() != Some(',') && c.peek() != Some('}') {
            return Err(refused("renaming an import (`as`)"));
        }
        names.push(name.to_string());
        c.eat(",");
    }
    if !c.space().eat("from") {
        return Err(refused("this import"));
    }
    let from = c.space().string().ok_or_else(|| refused("this import"))?;
    if !c.space().eat(";") {
        return Err(format!("an import ends with `;`; {IMPORT_FORM}"));
    }
    Ok(Import {
        span: k.at..c.i,
        names,
        from: from.to_string(),
    })
}

/// An export: `export default …`, or a declaration whose keyword starts at `keyword`.
enum Export {
    Default,
    Named { keyword: usize, name: String },
}

/// The export at `k`, in the forms the page's modules use.
fn export(src: &str, k: Keyword) -> Result<Export, String> {
    let mut c = Cursor { src, i: k.at + 6 };
    let form = "write `export function f`, `export class C` or `export const X =`";
    if k.depth > 0 {
        return Err(format!("an `export` inside a block; {form}"));
    }
    let keyword = c.space().i;
    let word = c.name().unwrap_or("");
    let named = match word {
        "default" => return Ok(Export::Default),
        "async" => c.space().eat("function") && !c.space().eat("*"),
        "function" => !c.space().eat("*"),
        "class" | "const" => true,
        "let" | "var" => {
            return Err(format!(
                "`export {word}` is not a form the page's modules use; {form}"
            ))
        }
        _ => false,
    };
    let name = if named { c.space().name() } else { None };
    match name {
        Some(name) if word != "const" || c.space().peek() == Some('=') => Ok(Export::Named {
            keyword,
            name: name.to_string(),
        }),
        _ => Err(format!(
            "this `export` is not a form the page's modules use (no `export {{ … }}`, re-exports, \
             generators or destructuring); {form}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = list
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        move |p| map.get(p).cloned()
    }

    fn refusal(entry_text: &str) -> String {
        let read = files(&[("main.js", entry_text), ("a.js", "export const A = 1;")]);
        bundle_with("main.js", Format::Script, &read)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn every_import_form_but_the_pages_own_is_refused_at_its_place() {
        for (src, want) in [
            ("import A from \"./a.js\";", "main.js:1:1: a default import"),
            (
                "import * as m from \"./a.js\";",
                "main.js:1:1: `import * as`",
            ),
            ("import \"./a.js\";", "main.js:1:1: a bare `import"),
            (
                "import { A as B } from \"./a.js\";",
                "main.js:1:1: renaming an import",
            ),
            (
                "x();\nconst m = await import(\"./a.js\");",
                "main.js:2:17: a dynamic `import()`",
            ),
            ("const u = import.meta.url;", "main.js:1:11: `import.meta`"),
            (
                "import { A } from \"./a.js\"",
                "main.js:1:1: an import ends with `;`",
            ),
            (
                "import { A } from \"a\";",
                "main.js:1:1: cannot import \"a\"",
            ),
            (
                "import { A } from \"https://x.org/a.js\";",
                "main.js:1:1: cannot import",
            ),
            (
                "import { B } from \"./a.js\";",
                "main.js:1:1: a.js does not export `B`",
            ),
            (
                "import { A } from \"./b.js\";",
                "b.js: there is no such file in the page",
            ),
            (
                "import { A } from \"../a.js\";",
                "main.js:1:1: cannot import \"../a.js\"",
            ),
            (
                "export const A = 1;",
                "main.js:1:1: the entry of a script exports a name",
            ),
        ] {
            let got = refusal(src);
            assert!(got.starts_with(want), "{src}: {got}");
        }
        let read = files(&[
            ("main.js", "import { A } from \"./a.js\";"),
            ("a.js", "const q = 1;\nexport { q };"),
        ]);
        let got = bundle_with("main.js", Format::Module, &read).unwrap_err();
        assert!(
            got.to_string().starts_with("a.js:2:1: this `export`"),
            "{got}"
        );
        for (src, want) in [
            (
                "export default 1;",
                "a.js:1:1: `export default` is not a form",
            ),
            ("export let x = 1;", "a.js:1:1: `export let`"),
            ("export function* g() {}", "a.js:1:1: this `export`"),
            ("export const { a } = o;", "a.js:1:1: this `export`"),
            (
                "function f() {\n  export const x = 1;\n}",
                "a.js:2:3: an `export` inside a block",
            ),
        ] {
            let read = files(&[("main.js", "import { x } from \"./a.js\";"), ("a.js", src)]);
            let got = bundle_with("main.js", Format::Module, &read)
                .unwrap_err()
                .to_string();
            assert!(got.starts_with(want), "{src}: {got}");
        }
    }

    #[test]
    fn a_cycle_is_named() {
        let read = files(&[
            ("main.js", "import { a } from \"./a.js\";"),
            ("a.js", "import { b } from \"./b.js\";\nexport const a = 1;"),
            ("b.js", "import { a } from \"./a.js\";\nexport const b = 2;"),
        ]);
        let e = bundle_with("main.js", Format::Script, &read).unwrap_err();
        assert!(e.message.contains("(a.js → b.js → a.js)"), "{e}");
    }

    #[test]
    fn modules_run_once_in_their_own_scope_dependencies_first() {
        let read = files(&[
            (
                "main.js",
                "import { one } from \"./lib/one.js\";\nimport { two,\n  twice } from \"./two.js\";\nconst x = 3;\nexport default { sum: one + two + twice(x) };\n",
            ),
            ("lib/one.js", "import { two } from \"../two.js\";\nconst x = 1;\nexport const one = x + two - 2;\n"),
            ("two.js", "const x = 2;\nexport const two = x;\nexport function twice(y) { return 2 * y; }\n"),
        ]);
        let js = bundle_with("main.js", Format::Module, &read).unwrap();
        assert_eq!(js.matches("// ---- two.js ----").count(), 1);
        assert!(js.find("// ---- two.js").unwrap() < js.find("// ---- lib/one.js").unwrap());
        assert!(js.contains("const { two, twice } = __cr_m0;\n\n"), "{js}");
        assert!(
            js.contains("export default { sum"),
            "the entry keeps its export"
        );
        // The entry's third line is still its third line.
        let main = js.split("// ---- main.js ----\n").nth(1).unwrap();
        assert_eq!(main.lines().nth(3), Some("const x = 3;"));
    }
}
