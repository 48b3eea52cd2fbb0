//! Integration tests of the Custody server: a real server on a loopback port
//! over a throwaway database, driven through `custody-client` as the CLI
//! drives it. Run with `cargo test -p custody-server --test api`.

mod action_delivery;
mod action_input;
mod actions;
mod artifacts;
mod attestation_reads;
mod auth;
mod auth_throttle;
mod backends;
mod bad_input;
mod cdevents;
mod concurrency;
mod controls;
mod custom_types;
mod dora;
mod environment_admin;
mod event_filters;
mod evidence;
mod fixtures;
mod flows_trails;
mod harness;
mod history;
mod hostile_input;
mod hostile_rules;
mod idempotency;
mod kosli_reads;
mod operations;
mod org_admin;
mod paging;
mod policies;
mod receiver;
mod role_matrix;
mod snapshots;
mod time_travel;
mod views;
mod web;
mod web_environment;
mod web_environments;
