//! The `h4` command line end to end, run as a user would run the built
//! binary: one module per behaviour.

mod bad_inputs;
mod changing_input;
mod closed_pipe;
mod corruption;
mod determinism;
mod foreign_data;
mod info;
mod levels;
mod messages;
mod metadata;
mod output_options;
mod overwrite;
mod remove_input;
mod round_trip;
mod suffixes;
mod test_command;
mod usage;
mod write_errors;
mod zstd_style;
