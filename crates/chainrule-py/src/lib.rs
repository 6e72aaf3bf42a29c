//! chainrule's Python extension (`chainrule._core`): micrograd's `Value` on chainrule's
//! op table, and the library's drawing, explanation, checks and steps for Python graphs.
//! The Python package (`python/chainrule`) builds micrograd's API on top.

use pyo3::prelude::*;

mod fastnew;
mod live;
mod plot;
mod show;
mod train;
mod value;
mod watch;

/// The native core of the `chainrule` package. It needs the GIL (`gil_used`): a Value's
/// fields are plain cells that the interpreter lock serialises (see `value::Value`).
#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<value::Value>()?;
    // Whether `Value(x)` has its fast entry (tests check it is there on CPython).
    m.add("_fast_new", fastnew::install(m.py()))?;
    m.add_class::<value::NativeBackward>()?;
    m.add_function(wrap_pyfunction!(value::neuron, m)?)?;
    m.add_function(wrap_pyfunction!(value::backward_grads, m)?)?;
    m.add_class::<show::Drawing>()?;
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
    m.add_class::<live::KernelEngine>()?;
    m.add_function(wrap_pyfunction!(live::widget_files, m)?)?;
    m.add_class::<watch::WatchCore>()?;
    Ok(())
}
