//! `FloorValue`: the least a native scalar object can cost in micrograd's loop, for the
//! benchmark's floor (`scripts/python-bench.py`). A plain PyO3 class as PyO3 makes one,
//! with none of `Value`'s shortcuts: each operation makes one object doing one float
//! operation, and it remembers nothing (no children, no graph; `backward()` only seeds
//! its own grad). chainrule's `Value` does all that plus the graph and the chain rule;
//! the benchmark prints its multiple of this.

use std::cell::Cell;

use pyo3::prelude::*;

/// A number that makes a new one per operation and nothing more (the benchmark's floor):
/// `FloorValue(x)`, `+`, `*` with another, `backward()`, `data`, `grad`.
#[pyclass(module = "chainrule._core", frozen)]
pub struct FloorValue {
    data: f64,
    grad: Cell<f64>,
}

// SAFETY: as for `Value`: every access holds the interpreter lock (the module declares
// `gil_used`), so the cell is never touched by two threads at once.
unsafe impl Sync for FloorValue {}

#[pymethods]
impl FloorValue {
    #[new]
    fn new(data: f64) -> FloorValue {
        FloorValue {
            data,
            grad: Cell::new(0.0),
        }
    }

    fn __add__(&self, other: &Bound<'_, FloorValue>) -> FloorValue {
        FloorValue::new(self.data + other.get().data)
    }

    fn __mul__(&self, other: &Bound<'_, FloorValue>) -> FloorValue {
        FloorValue::new(self.data * other.get().data)
    }

    /// Seeds this value's grad with 1 (there is no graph to go back through).
    fn backward(&self) {
        self.grad.set(1.0);
    }

    /// The number.
    #[getter]
    fn data(&self) -> f64 {
        self.data
    }

    /// 1 after `backward()`, else 0.
    #[getter]
    fn grad(&self) -> f64 {
        self.grad.get()
    }
}
