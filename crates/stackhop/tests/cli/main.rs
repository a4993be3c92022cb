//! End-to-end tests of the `stackhop` binary: one test binary, one module per area. Each test
//! runs the real binary from the crate directory, so fixture paths are relative
//! (`tests/fixtures/…`) and snapshots hold no machine-specific path.
//!
//! Snapshots live in `snapshots/`; the `plan` module's (`cli__plan__*.snap`) follow the
//! planners and are re-accepted whenever a planner changes (`INSTA_UPDATE=always cargo test`).

mod apply;
mod check;
mod common;
mod errors;
mod findings;
mod init;
mod kill;
mod plan;
