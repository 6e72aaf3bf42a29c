//! chainrule's Python extension (`chainrule._core`): micrograd's `Value` on chainrule's
//! op table, and the library's drawing, explanation, checks and steps for Python graphs.
//! The Python package (`python/chainrule`) builds micrograd's API on top.

use pyo3::prelude::*;

mod construct;
mod entry;
mod fastnew;
mod floor;
mod gil;
mod interrupt;
mod layout;
mod lessons;
mod live;
mod persist;
mod plot;
mod show;
mod slots;
mod train;
mod value;
mod watch;

/// The native core of the `chainrule` package. It needs the GIL (`gil_used`): a Value's
/// fields are plain cells that the interpreter lock serialises (see `value::Value`).
#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<value::Value>()?;
    construct::remember_type(m.py());
    // The shortcuts past PyO3 (fastnew.rs, layout.rs, slots.rs), each installed only when
    // its checks hold; CHAINRULE_NO_SHORTCUTS=1 leaves PyO3's ways (the tests run both).
    let shortcuts = std::env::var_os("CHAINRULE_NO_SHORTCUTS").is_none_or(|v| v.is_empty());
    let py = m.py();
    // Whether `Value(x)` has its fast entry (tests check it is there on CPython).
    m.add("_fast_new", shortcuts && fastnew::install(py))?;
    if shortcuts {
        layout::install(py)?;
    }
    let (alloc, members, dealloc) = layout::installed();
    m.add(
        "_layout",
        (alloc, members, dealloc, shortcuts && slots::install(py)),
    )?;
    m.add("_pyo3_checked", layout::PYO3_CHECKED)?;
    m.add_class::<value::NativeBackward>()?;
    m.add_class::<floor::FloorValue>()?;
    m.add_function(wrap_pyfunction!(value::neuron, m)?)?;
    m.add_class::<show::Drawing>()?;
    m.add_class::<show::StepsCore>()?;
    m.add_class::<persist::GraphTable>()?;
    m.add_function(wrap_pyfunction!(persist::_graph_node, m)?)?;
    m.add_function(wrap_pyfunction!(persist::_graph_from_structure, m)?)?;
    m.add_function(wrap_pyfunction!(show::draw, m)?)?;
    m.add_function(wrap_pyfunction!(show::explain, m)?)?;
    m.add_function(wrap_pyfunction!(show::grad_check, m)?)?;
    m.add_function(wrap_pyfunction!(show::check_hand_grads, m)?)?;
    m.add_function(wrap_pyfunction!(show::steps, m)?)?;
    m.add_function(wrap_pyfunction!(show::first_non_finite, m)?)?;
    m.add_function(wrap_pyfunction!(show::grad, m)?)?;
    m.add_function(wrap_pyfunction!(show::ops, m)?)?;
    m.add_class::<plot::Plot>()?;
    m.add_function(wrap_pyfunction!(plot::decision_boundary, m)?)?;
    m.add_function(wrap_pyfunction!(plot::line_chart, m)?)?;
    m.add_class::<train::NativeCore>()?;
    m.add("CsvFormatError", m.py().get_type::<train::CsvFormatError>())?;
    m.add_function(wrap_pyfunction!(train::data_moons, m)?)?;
    m.add_function(wrap_pyfunction!(train::data_sklearn_moons, m)?)?;
    m.add_function(wrap_pyfunction!(train::data_circles, m)?)?;
    m.add_function(wrap_pyfunction!(train::data_blobs, m)?)?;
    m.add_function(wrap_pyfunction!(train::data_spiral, m)?)?;
    m.add_function(wrap_pyfunction!(train::data_load_csv, m)?)?;
    m.add_function(wrap_pyfunction!(train::data_save_csv, m)?)?;
    m.add_function(wrap_pyfunction!(train::label_classes, m)?)?;
    m.add_function(wrap_pyfunction!(train::train_spec, m)?)?;
    m.add_function(wrap_pyfunction!(lessons::lesson_ask, m)?)?;
    m.add_class::<live::KernelEngine>()?;
    m.add_function(wrap_pyfunction!(live::widget_files, m)?)?;
    m.add_class::<watch::WatchCore>()?;
    Ok(())
}
