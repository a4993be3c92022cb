//! End-to-end tests of the `stackhop` binary: one test binary, one module per area. Each test
//! runs the real binary from the crate directory, so fixture paths are relative
//! (`tests/fixtures/…`) and snapshots hold no machine-specific path.
//!
//! Snapshots live in `snapshots/`; those of `plan`, `verify`, `simulate` and `compare` follow
//! the planners, the verifier and the twin, and are re-accepted whenever one of them changes
//! (`INSTA_UPDATE=always cargo test -p stackhop --test cli`, then review the diff).

mod apply;
mod browser;
mod check;
mod common;
mod compare;
mod discover;
mod dom;
mod errors;
mod export;
mod findings;
mod fleet;
mod import;
mod init;
mod kill;
mod plan;
mod report;
mod run_page;
mod safety;
mod simulate;
mod ssh;
mod verify;
