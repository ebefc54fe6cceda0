//! What a `$ref` inside a model refers to, by API Gateway's rules: the one
//! classification both the OpenAPI importer (which reports a bad reference
//! where it is written) and request validation (which resolves references from
//! memory) apply.
//!
//! AWS exports name another model in three ways: `#/definitions/Pet`
//! (Swagger 2), `#/components/schemas/Pet` (OpenAPI 3) and
//! `https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet`, each
//! optionally followed by a JSON pointer into that model. A pointer into the
//! referring model itself (`#`, `#/properties/a`, or `#/definitions/Bin` when
//! the model has its own `definitions.Bin`) stays inside it. Anything else (an
//! `http(s)` URL, a file, a relative path) is foreign: nothing is ever fetched.

use std::borrow::Cow;

/// How API Gateway names a model by URL: `{prefix}{api_id}/models/{name}`.
const AWS_MODEL_URL_PREFIX: &str = "https://apigateway.amazonaws.com/restapis/";

/// What a model's `$ref` refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelRef<'a> {
    /// One of the API's models, or a place inside it.
    Model {
        /// The model's name, JSON-pointer and percent decoded.
        name: Cow<'a, str>,
        /// The JSON pointer inside that model, without its leading `/`; empty for the whole model.
        pointer: &'a str,
    },
    /// A place inside the referring model itself (`#`, `#/properties/a`, `#anchor`,
    /// its own `#/definitions/X`).
    Internal,
    /// Anything else: never followed.
    Foreign,
}

/// Classifies `reference`, written in a model whose own `definitions` hold
/// the names for which `own_definition` is true.
///
/// ```
/// use portcullis_mapping::validate::{ModelRef, classify_ref};
///
/// let none = |_: &str| false;
/// assert_eq!(
///     classify_ref("#/components/schemas/Pet/properties/id", none),
///     ModelRef::Model { name: "Pet".into(), pointer: "properties/id" }
/// );
/// assert_eq!(classify_ref("#/properties/a", none), ModelRef::Internal);
/// assert_eq!(classify_ref("#/definitions/Bin", |n: &str| n == "Bin"), ModelRef::Internal);
/// assert_eq!(classify_ref("https://example.com/pet.json", none), ModelRef::Foreign);
/// ```
pub fn classify_ref<'a>(reference: &'a str, own_definition: impl Fn(&str) -> bool) -> ModelRef<'a> {
    if let Some(pointer) = reference.strip_prefix('#') {
        let target = pointer
            .strip_prefix("/definitions/")
            .map(|rest| (rest, true))
            .or_else(|| {
                pointer
                    .strip_prefix("/components/schemas/")
                    .map(|rest| (rest, false))
            });
        let Some((rest, swagger_form)) = target else {
            return ModelRef::Internal;
        };
        let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let name = decode_pointer_token(name);
        if swagger_form && own_definition(&name) {
            return ModelRef::Internal;
        }
        return ModelRef::Model {
            name,
            pointer: tail,
        };
    }
    if let Some(rest) = reference.strip_prefix(AWS_MODEL_URL_PREFIX) {
        // `{api_id}/models/{name}` with an optional `#/pointer`.
        let (path, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        if let Some((api, name)) = path.split_once("/models/")
            && !api.is_empty()
            && !api.contains('/')
            && !name.is_empty()
            && !name.contains('/')
            && (fragment.is_empty() || fragment.starts_with('/'))
        {
            return ModelRef::Model {
                name: decode_pointer_token(name),
                pointer: fragment.strip_prefix('/').unwrap_or(""),
            };
        }
    }
    ModelRef::Foreign
}

/// Undoes JSON pointer escapes (`~1` → `/`, `~0` → `~`), then URI percent
/// escapes (kept as written when they do not decode to UTF-8).
pub fn decode_pointer_token(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['~', '%']) {
        return Cow::Borrowed(raw);
    }
    let unescaped = raw.replace("~1", "/").replace("~0", "~");
    match percent_encoding::percent_decode_str(&unescaped).decode_utf8() {
        Ok(decoded) => Cow::Owned(decoded.into_owned()),
        Err(_) => Cow::Owned(unescaped),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> bool {
        false
    }

    #[test]
    fn every_aws_form_names_the_model() {
        for reference in [
            "#/definitions/Pet",
            "#/components/schemas/Pet",
            "https://apigateway.amazonaws.com/restapis/abc123/models/Pet",
        ] {
            assert_eq!(
                classify_ref(reference, none),
                ModelRef::Model {
                    name: "Pet".into(),
                    pointer: ""
                },
                "{reference}"
            );
        }
        assert_eq!(
            classify_ref(
                "https://apigateway.amazonaws.com/restapis/a/models/Pet#/properties/x",
                none
            ),
            ModelRef::Model {
                name: "Pet".into(),
                pointer: "properties/x"
            }
        );
    }

    #[test]
    fn own_definitions_stay_inside_only_in_the_swagger_form() {
        let own = |n: &str| n == "Bin";
        assert_eq!(classify_ref("#/definitions/Bin", own), ModelRef::Internal);
        assert!(matches!(
            classify_ref("#/components/schemas/Bin", own),
            ModelRef::Model { .. }
        ));
        assert_eq!(classify_ref("#", none), ModelRef::Internal);
        assert_eq!(classify_ref("#anchor", none), ModelRef::Internal);
    }

    #[test]
    fn names_are_pointer_decoded() {
        assert_eq!(
            classify_ref("#/definitions/a~1b%20c", none),
            ModelRef::Model {
                name: "a/b c".into(),
                pointer: ""
            }
        );
    }

    #[test]
    fn a_trailing_slash_still_names_the_whole_model() {
        // As request validation has always resolved it; the importer's body
        // check tells `Pet/` apart itself.
        assert_eq!(
            classify_ref("#/definitions/Pet/", none),
            ModelRef::Model {
                name: "Pet".into(),
                pointer: ""
            }
        );
    }

    #[test]
    fn foreign_references() {
        for reference in [
            "http://example.com/pet.json",
            "file:///etc/passwd",
            "pet.json",
            "https://apigateway.amazonaws.com/restapis/x/resources/y",
            "https://apigateway.amazonaws.com/restapis/x/y/models/Pet",
            "https://apigateway.amazonaws.com/restapis//models/Pet",
            "https://apigateway.amazonaws.com/restapis/x/models/Pet#frag",
        ] {
            assert_eq!(
                classify_ref(reference, none),
                ModelRef::Foreign,
                "{reference}"
            );
        }
    }
}
