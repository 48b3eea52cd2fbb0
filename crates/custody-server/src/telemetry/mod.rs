//! What the server tells its operator: a log line and a request id for every
//! request ([`requests`]), the Prometheus metrics served at `/metrics`
//! ([`metrics`]), and `/live` and `/ready` for probes ([`health`]).

pub mod health;
pub mod metrics;
pub mod requests;

pub use metrics::Metrics;
pub use requests::current_request_id;
