//! The OpenAPI 3.1 document of the API, generated from the wire types of
//! `custody-api` and each handler's `#[utoipa::path]`: the document's frame
//! (title, bearer-key security), the refusals every route can answer with, and
//! the shapes of the multipart forms. Served at `/api/v2/openapi.json`.

#![allow(dead_code)] // The form and refusal types exist only to be described.

use custody_api::ErrorBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Custody API",
        description = "The Kosli API v2 as Custody serves it. Every route takes an API key as `Authorization: Bearer <key>`; writes may carry an `Idempotency-Key`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerKey),
    components(schemas(ErrorBody)),
    security(("api_key" = [])),
    tags(
        (name = "flows", description = "Flows and their tags"),
        (name = "trails", description = "Trails of a flow"),
        (name = "artifacts", description = "Artifacts, search and asserts"),
        (name = "controls", description = "Controls (beta): the org's governance requirements, their versions, decisions and coverage"),
        (name = "repos", description = "Repositories seen in trails and artifacts, and their tags"),
        (name = "attestations", description = "Attestations and their evidence"),
        (name = "attestation types", description = "Custom attestation types"),
        (name = "environments", description = "Environments, reports, snapshots and their differences"),
        (name = "policies", description = "Environment policies and allow-lists"),
        (name = "metrics", description = "Delivery metrics (DORA) from what actually ran"),
        (name = "organizations", description = "The organization, its beta switch and the caller's default org"),
        (name = "service accounts", description = "Service accounts and API keys"),
        (name = "actions", description = "Actions: notifications of environment and flow events to Slack and webhooks"),
        (name = "log", description = "The tamper-evident log of every fact: checkpoints, entries and proofs"),
    )
)]
pub struct ApiDoc;

/// The `api_key` security scheme: an API key as a bearer token.
struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key of a service account"))
                    .build(),
            ),
        );
    }
}

/// What any route may answer instead of its result; the message says why.
#[derive(IntoResponses)]
pub enum Refusals {
    #[response(
        status = 400,
        description = "The request is invalid; the message says how to fix it"
    )]
    BadRequest(ErrorBody),
    #[response(
        status = 401,
        description = "No API key, or an unknown, revoked or expired one"
    )]
    Unauthorized(ErrorBody),
    #[response(
        status = 403,
        description = "The key's role or org does not allow this"
    )]
    Forbidden(ErrorBody),
    #[response(
        status = 404,
        description = "Something the request names does not exist"
    )]
    NotFound(ErrorBody),
    #[response(
        status = 409,
        description = "A conflicting write; retrying may succeed"
    )]
    Conflict(ErrorBody),
    #[response(
        status = 413,
        description = "The request body or an attachment is too large"
    )]
    TooLarge(ErrorBody),
    #[response(
        status = 422,
        description = "The Idempotency-Key was used for a different request"
    )]
    KeyReused(ErrorBody),
    #[response(
        status = 429,
        description = "Too many failed authentications from this address; see Retry-After"
    )]
    TooMany(ErrorBody),
    #[response(
        status = 503,
        description = "Temporarily unable (the rule sandbox is busy); see Retry-After"
    )]
    Unavailable(ErrorBody),
}

/// A multipart form: `data_json` and an optional YAML `template_file`.
#[derive(ToSchema)]
pub struct TemplateForm {
    /// The request's JSON document, as text.
    data_json: String,
    /// A `version: 1` YAML template.
    #[schema(value_type = Option<String>, format = Binary)]
    template_file: Option<Vec<u8>>,
}

/// A multipart form: `data_json` and an optional `attachment_file` (evidence).
#[derive(ToSchema)]
pub struct AttestationForm {
    /// The attestation's JSON document, as text.
    data_json: String,
    /// A file kept in the evidence vault.
    #[schema(value_type = Option<String>, format = Binary)]
    attachment_file: Option<Vec<u8>>,
}

/// A multipart form: `data_json` and an optional JSON Schema `type_schema`.
#[derive(ToSchema)]
pub struct TypeForm {
    /// `{"name", "description", "evaluator", "summary"}` as JSON text.
    data_json: String,
    /// The JSON Schema attestation data must match.
    #[schema(value_type = Option<String>, format = Binary)]
    type_schema: Option<Vec<u8>>,
}

/// `PUT /policies/{org}`: the policy's details and its YAML file.
#[derive(ToSchema)]
pub struct PolicyForm {
    /// `{"name", "description", "comment", "type": "env"}` as JSON text.
    payload: String,
    /// The policy YAML.
    #[schema(value_type = String, format = Binary)]
    policy_file: Vec<u8>,
}
