//! The integration tests, compiled as one test binary (one build, one
//! link); shared helpers and test data are in `util`.

#[macro_use]
mod util;

mod bench;
mod cli;
mod compare_script;
mod cores;
mod cores_by_name;
mod docs;
mod fixtures;
mod fuzz_regressions;
mod generated;
mod golden;
mod host;
mod library_stream;
mod python_binding;
mod readme;
mod reliability;
mod roundtrip;
mod signals;
mod spec_python;
mod tar;
mod terminal;
mod verify;
