//! Import of AWS OpenAPI exports (OpenAPI 3.0 and Swagger 2.0, JSON or YAML)
//! into an [`Api`].
//!
//! An export is read as API Gateway reads it on import: the
//! `x-amazon-apigateway-*` extensions define the integrations, authorizers,
//! request validators and settings; models and request body schemas go with
//! request validation (REST only); method responses only document. Whatever
//! this gateway cannot serve faithfully is a problem, never silently dropped.

mod context;
mod cors;
mod document;
mod extensions;
mod integration;
mod models;
mod operation;
mod paths;
mod resource;
mod responses;
mod schema;
mod security;
mod service;
pub(crate) mod tree;

use std::path::Path;

use context::{Ctx, Version};
use tree::Node;

use crate::config::error::{ConfigError, Problem};
use crate::config::model::{Api, ApiType, DEFAULT_NAME, Stage};
use crate::config::problems::Problems;

/// An imported API and the warnings met importing it.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The API.
    pub api: Api,
    /// What the API serves differently from AWS: extensions and properties
    /// skipped, features not built yet. Each names the file and the place.
    pub warnings: Vec<Problem>,
}

/// Imports one OpenAPI definition.
///
/// `text` is JSON when it starts with `{`, else YAML; `file` names it in
/// problems and gives the fallback API id. `api_type` overrides the detection
/// (`x-amazon-apigateway-importexport-version` present → HTTP API, else REST).
/// The API gets one `$default` stage without variables; callers set stages.
/// What AWS's import would skip with a warning is skipped here too, and
/// returned as a warning.
///
/// # Errors
/// Every problem found in the definition, each with `file` and a location
/// inside it (`paths./pets.get.x-amazon-apigateway-integration.uri`).
pub fn import_openapi(
    text: &str,
    file: &Path,
    api_type: Option<ApiType>,
) -> Result<Imported, ConfigError> {
    let root = tree::parse(text).map_err(|e| {
        ConfigError::one(Problem::new(
            file,
            e.location,
            format!("not valid JSON or YAML: {}", e.message),
        ))
    })?;
    import_tree(&root, file, api_type)
}

/// Imports one OpenAPI definition already read into a tree (a SAM
/// template's `DefinitionBody`, or one generated from its functions'
/// events); as [`import_openapi`] otherwise.
pub(crate) fn import_tree(
    root: &Node,
    file: &Path,
    api_type: Option<ApiType>,
) -> Result<Imported, ConfigError> {
    if root.as_map().is_none() {
        return Err(ConfigError::one(Problem::new(
            file,
            "",
            format!(
                "an OpenAPI document is a mapping at the top level; this file holds {}",
                root.kind()
            ),
        )));
    }
    let version = document::version(root)
        .map_err(|(location, message)| ConfigError::one(Problem::new(file, location, message)))?;
    let detected = if root
        .get("x-amazon-apigateway-importexport-version")
        .is_some()
    {
        ApiType::Http
    } else {
        ApiType::Rest
    };
    let mut ctx = Ctx {
        file,
        root,
        version,
        api_type: api_type.unwrap_or(detected),
        problems: Problems::new(),
    };
    if ctx.is_http() && version == Version::Swagger2 {
        ctx.problem(
            "swagger",
            "HTTP APIs are imported from OpenAPI 3.0 only, not Swagger 2.0 (http-api-open-api)",
        );
    }
    let name = document::title(&mut ctx);
    let id = document::api_id(&mut ctx).unwrap_or_else(|| id_from_file_stem(file));
    let top = extensions::top_level(&mut ctx);
    let schemes = security::schemes(&mut ctx);
    let mut models = models::declared(&mut ctx);
    let routes = paths::routes(&mut ctx, &schemes, &top, &mut models);
    let api = Api {
        id,
        name,
        api_type: ctx.api_type,
        source: file.to_path_buf(),
        stages: vec![Stage {
            name: DEFAULT_NAME.to_owned(),
            variables: Default::default(),
            throttling: Default::default(),
            access_log: None,
            cache: None,
        }],
        routes,
        resource_policy: top.resource_policy,
        api_key_source: top.api_key_source,
        cors: top.cors,
        minimum_compression_size: top.minimum_compression_size,
        binary_media_types: top.binary_media_types,
        gateway_responses: top.gateway_responses,
        models: models.schemas,
        authorizers: schemes
            .iter()
            .filter_map(|(name, scheme)| match scheme {
                security::Scheme::Authorizer(_, authorizer) => {
                    Some((name.clone(), authorizer.clone()))
                }
                _ => None,
            })
            .collect(),
    };
    ctx.problems.finish(api).map(|checked| Imported {
        api: checked.value,
        warnings: checked.warnings,
    })
}

/// The API id made from a file name: its stem, lower-cased, with every run of
/// characters outside `[a-z0-9]` turned into one `-` (`Pet Store.v2.yaml` →
/// `pet-store-v2`); `api` when nothing is left.
pub(crate) fn id_from_file_stem(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut id = String::new();
    for c in stem.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    while id.ends_with('-') {
        id.pop();
    }
    if id.is_empty() { "api".to_owned() } else { id }
}

/// Whether `id` is an acceptable API id: `[A-Za-z0-9_-]+` (AWS's are `[a-z0-9]{10}`).
pub(crate) fn is_api_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod validation_tests;
