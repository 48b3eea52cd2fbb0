//! End-to-end tests of the `custody` binary: a real server process, driven by
//! the CLI as a user would, comparing what it prints.

mod attestations;
mod audit_packages;
mod aws;
mod aws_credentials;
mod azure;
mod cloud_run;
mod crash;
mod custom_types;
mod deploy_manifests;
mod docker;
mod evidence;
mod fake_azure;
mod fake_docker;
mod fake_gcp;
mod fake_http;
mod fake_k8s;
mod fake_providers;
mod harness;
mod k8s;
mod k8s_watch;
mod kosli_cases;
mod moto;
mod network;
mod oci;
mod pipeline;
mod policies;
mod provider_attestations;
mod replicas;
mod repos;
mod s3_evidence;
mod server_operations;
mod snapshot_watch;
mod tutorial;
mod verify;
mod web_ui;
