//! h4's errors as Python exceptions, with h4's one-line messages.
//!
//! The exception classes are defined in Python (`h4/_errors.py`), where
//! `CoreLoadError` can subclass both `H4Error` and `OSError`; they are
//! imported from there when first raised.

use std::io;

use h4::container::EngineKind;
use pyo3::PyErr;

pyo3::import_exception!(h4._errors, H4Error);
pyo3::import_exception!(h4._errors, CoreLoadError);

/// The exception for `error`: I/O errors as `OSError` (or the Python
/// exception a Python file object raised), everything else as `H4Error`.
/// `name`, when given, is put in front of the message, as h4 names the
/// file it was working on.
pub fn to_py(error: h4::Error, name: Option<&str>) -> PyErr {
    let message = match error {
        h4::Error::Read(e) | h4::Error::Write(e) => return io_to_py(e),
        h4::Error::EngineUnavailable { needed, available } => {
            // The library's hint names the command line's flags; say what a
            // Python caller does instead.
            let mut text = format!("made by {needed}, which is not loaded");
            match available.first() {
                Some(other) => text.push_str(&format!(
                    " (the engine given is {other}); pass engine=h4.CoreEngine(PATH) for that core"
                )),
                None if needed.kind == EngineKind::Core => text.push_str(
                    "; pass engine=h4.CoreEngine(PATH) or set HARMONY4_CORE_PATH to that core",
                ),
                None => {}
            }
            text
        }
        other => other.to_string(),
    };
    H4Error::new_err(match name {
        Some(name) => format!("{name}: {message}"),
        None => message,
    })
}

/// The exception for an I/O error: the Python exception inside it when a
/// Python file object raised one, else the `OSError` subclass for its kind.
pub fn io_to_py(error: io::Error) -> PyErr {
    if error.get_ref().is_some_and(|inner| inner.is::<PyErr>()) {
        let inner = error.into_inner().expect("checked above");
        return *inner.downcast::<PyErr>().expect("checked above");
    }
    PyErr::from(error)
}

/// An error from h4's `Read`/`Write` adaptors, which carry the library's
/// error inside an I/O error.
pub fn stream_to_py(error: io::Error, name: Option<&str>) -> PyErr {
    to_py(h4::Error::from_reader(error), name)
}
