//! Python tasks: the learner's code (a `_backward`, an op) runs on the lesson's graph
//! built in Python with the lecture's `Value`, and the grads it gives are checked and
//! diagnosed by the engine. The library writes the script and reads its output; running
//! it (`python3`, a notebook's kernel) is the caller's job.

use super::check::Feedback;
use super::format::TaskKind;
use super::variant::Variant;
use crate::io::json::Json;
use crate::lang::Program;
use crate::Graph;

/// Marks the line of the script's output that holds the grads.
const MARK: &str = "CHAINRULE-GRADS ";

/// The lecture's `Value` (micrograd with `label`, `tanh`, `exp`, float grads), with an
/// iterative topological sort, so that the learner's code runs against the class it was
/// written for. Nothing beyond the standard library is needed. [`Variant::python_script`]
/// starts with it; a notebook runs it in its own kernel, or uses the learner's own class.
pub const LECTURE_VALUE: &str = r#"import json, math

class Value:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')
        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, other):
        assert isinstance(other, (int, float)), "only int/float powers"
        out = Value(self.data ** other, (self,), f'**{other}')
        def _backward():
            self.grad += other * self.data ** (other - 1) * out.grad
        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def __radd__(self, other):
        return self + other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return Value(other) * self ** -1

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return Value(other) + (-self)

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), 'tanh')
        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), 'exp')
        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                topo.append(v)
            elif id(v) not in visited:
                visited.add(id(v))
                stack.append((v, True))
                stack.extend((c, False) for c in v._prev)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
"#;

impl Variant {
    /// The Python script that checks a learner's `code` for python task `task`: the
    /// lecture's `Value`, the learner's code, the lesson's graph, then `backward()` from
    /// the output and one output line with every labelled value's grad. Run it with
    /// `python3` and give its output to [`Variant::check_python`].
    ///
    /// ```
    /// let v = chainrule::learn::find("twice").unwrap().variant(0);
    /// let t = v.tasks.iter().position(|t| t.kind == chainrule::learn::TaskKind::Python).unwrap();
    /// let script = v.python_script(t, &v.tasks[t].solution);
    /// assert!(script.contains("class Value") && script.contains("CHAINRULE-GRADS"));
    /// ```
    pub fn python_script(&self, task: usize, code: &str) -> String {
        match self.tasks.get(task) {
            Some(_) => format!("{LECTURE_VALUE}\n{}", self.python_run(task, code)),
            None => String::new(),
        }
    }

    /// [`Variant::python_script`] without the lecture's `Value`: the learner's `code`, the
    /// lesson's graph, backward and the grads' line, for a place where a `Value` class is
    /// already defined (a notebook's kernel, with [`LECTURE_VALUE`] or the learner's own
    /// class, and the learner's function already defined when `code` is empty). It needs
    /// `json` and `math` imported.
    ///
    /// ```
    /// let v = chainrule::learn::find("twice").unwrap().variant(0);
    /// let t = v.tasks.iter().position(|t| t.kind == chainrule::learn::TaskKind::Python).unwrap();
    /// let run = v.python_run(t, "");
    /// assert!(run.contains("Value.__add__ = __add__") && !run.contains("class Value"));
    /// ```
    pub fn python_run(&self, task: usize, code: &str) -> String {
        let Some(t) = self.tasks.get(task) else {
            return String::new();
        };
        let output = t.of.clone().unwrap_or_else(|| self.output_name());
        format!(
            "# --- your code ---\n{code}\n# --- the lesson's graph ---\n{}\n\
             # --- backward, and every labelled value's grad ---\n\
             _root = {output}\n_root.backward()\n_grads, _stack, _seen = {{}}, [_root], set()\n\
             while _stack:\n    _v = _stack.pop()\n    if id(_v) in _seen:\n        continue\n    \
             _seen.add(id(_v))\n    if _v.label:\n        _grads[_v.label] = _v.grad\n    \
             _stack.extend(_v._prev)\nprint({MARK:?} + json.dumps(_grads))\n",
            t.graph
        )
    }

    /// The program's output name (`L` when it has none).
    fn output_name(&self) -> String {
        let g = Graph::new();
        let run = Program::parse(&self.program)
            .ok()
            .and_then(|p| p.eval(&g, &Default::default()).ok());
        run.and_then(|r| r.output_name)
            .unwrap_or_else(|| "L".into())
    }

    /// Checks a run of [`Variant::python_script`]: its standard output and error. Each
    /// value asked (every value of the program when the task names none) gets feedback on
    /// the grad the learner's code gave it, diagnosed as a hand grad is; a run that gave no
    /// grads gets one feedback with the error it ended with.
    pub fn check_python(&self, task: usize, stdout: &str, stderr: &str) -> Vec<Feedback> {
        let Some(t) = self.tasks.get(task).filter(|t| t.kind == TaskKind::Python) else {
            return Vec::new();
        };
        let Some(grads) = grads(stdout) else {
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
            let why = match last {
                Some(l) => format!("your code stopped with: {}", l.trim()),
                None => "your code gave no grads (did it run to the end?)".to_string(),
            };
            return vec![Feedback {
                question: "your code".into(),
                text: vec![why],
                ..Feedback::default()
            }];
        };
        let g = Graph::new();
        let Some(run) = self.run(&g, t) else {
            return Vec::new();
        };
        // From the output back, as backward goes: a mistake comes before what follows it.
        let names: Vec<String> = if t.ask.is_empty() {
            run.names()
                .iter()
                .rev()
                .map(|(n, _)| n.to_string())
                .collect()
        } else {
            t.ask.clone()
        };
        let l = run.output_name.clone().unwrap_or_else(|| "L".into());
        let mut missing = Vec::new();
        let mut pairs = Vec::new();
        for n in &names {
            match (grads.iter().find(|(k, _)| k == n), run.get(n)) {
                (Some((_, v)), Some(var)) => pairs.push((n.clone(), var, *v)),
                _ => missing.push(n.clone()),
            }
        }
        let hand: Vec<_> = pairs.iter().map(|(_, var, v)| (*var, *v)).collect();
        let checks = super::check::hand_checks(run.output, &hand, t.tol);
        let mut out: Vec<Feedback> = checks
            .iter()
            .zip(&pairs)
            .map(|(c, (n, _, v))| {
                let f = super::check::from_hand(c, n, format!("{n}.grad"), &super::check::tidy(*v));
                Feedback {
                    question: format!("d{l}/d{n}, as your code computes it"),
                    ..f
                }
            })
            .collect();
        out.extend(missing.into_iter().map(|n| Feedback {
            question: format!("{n}.grad"),
            text: vec![format!("your graph has no value labelled `{n}`")],
            name: n,
            ..Feedback::default()
        }));
        out
    }
}

/// The grads on the script's marked output line, by label.
fn grads(stdout: &str) -> Option<Vec<(String, f64)>> {
    let line = stdout.lines().rev().find_map(|l| l.strip_prefix(MARK))?;
    let json = Json::parse(line).ok()?;
    let Json::Obj(fields) = json else { return None };
    Some(
        fields
            .into_iter()
            .filter_map(|(k, v)| v.as_f64().map(|x| (k, x)))
            .collect(),
    )
}
