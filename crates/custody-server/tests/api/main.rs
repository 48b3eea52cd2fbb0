//! Integration tests of the Custody server: a real server on a loopback port
//! over a throwaway database, driven through `custody-client` as the CLI
//! drives it. Run with `cargo test -p custody-server --test api`.

mod artifacts;
mod auth;
mod backends;
mod bad_input;
mod fixtures;
mod flows_trails;
mod harness;
mod history;
mod paging;
mod snapshots;
mod views;
