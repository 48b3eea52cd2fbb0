//! End-to-end tests of the `custody` binary: a real server process, driven by
//! the CLI as a user would, comparing what it prints.

mod harness;
mod pipeline;

mod tutorial;
