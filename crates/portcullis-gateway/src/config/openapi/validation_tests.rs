//! Request validators, models and request body models.

use serde_json::json;

use super::models::inline_name_base;
use super::tests::{PROXY, doc, findings, import, problems, warnings};
use crate::config::model::{Api, RequestValidation, Route};

const VALIDATORS: &str = "x-amazon-apigateway-request-validators:\n  \
    all: {validateRequestBody: true, validateRequestParameters: true}\n  \
    params-only: {validateRequestBody: false, validateRequestParameters: true}\n  \
    body-only: {validateRequestBody: true}\n  \
    none: {}";

fn validator(name: &str, body: bool, parameters: bool) -> Option<RequestValidation> {
    Some(RequestValidation {
        name: name.to_owned(),
        body,
        parameters,
    })
}

fn route<'a>(api: &'a Api, location: &str) -> &'a Route {
    api.routes
        .iter()
        .find(|r| r.location == location)
        .unwrap_or_else(|| panic!("no route at {location}"))
}

/// `/a` with one operation per `(method, extra fields)`.
fn ops(operations: &[(&str, &str)]) -> String {
    let mut paths = String::from("  /a:\n");
    for (method, fields) in operations {
        paths.push_str(&format!(
            "    {method}: {{{fields}x-amazon-apigateway-integration: {PROXY}}}\n"
        ));
    }
    paths
}

fn swagger2(extra: &str, paths: &str) -> String {
    format!("swagger: '2.0'\ninfo: {{title: t}}\n{extra}\npaths:\n{paths}\n")
}

#[test]
fn operation_validators_override_the_document_default() {
    let extra = format!("{VALIDATORS}\nx-amazon-apigateway-request-validator: params-only");
    let paths = ops(&[
        ("get", ""),
        ("post", "x-amazon-apigateway-request-validator: all, "),
        ("put", "x-amazon-apigateway-request-validator: body-only, "),
        ("delete", "x-amazon-apigateway-request-validator: none, "),
    ]);
    let api = import(&doc(false, &extra, &paths)).unwrap();
    let of = |method: &str| {
        route(&api, &format!("paths./a.{method}"))
            .validation
            .clone()
    };
    assert_eq!(of("get"), validator("params-only", false, true));
    assert_eq!(of("post"), validator("all", true, true));
    assert_eq!(of("put"), validator("body-only", true, false));
    // A validator that validates nothing is carried too; the planner ignores it.
    assert_eq!(of("delete"), validator("none", false, false));
    // Without a document default, only operations naming one are validated.
    let api = import(&doc(false, VALIDATORS, &paths)).unwrap();
    assert_eq!(route(&api, "paths./a.get").validation, None);
    assert_eq!(
        route(&api, "paths./a.post").validation,
        validator("all", true, true)
    );
}

#[test]
fn validator_names_must_be_defined() {
    // No built-in names: exports define the console's validators in the map.
    let paths = ops(&[(
        "post",
        "x-amazon-apigateway-request-validator: Validate body, ",
    )]);
    assert_eq!(
        problems(&doc(false, VALIDATORS, &paths)),
        [
            "paths./a.post.x-amazon-apigateway-request-validator: request validator `Validate body` is not defined in x-amazon-apigateway-request-validators"
        ]
    );
    let bad = "x-amazon-apigateway-request-validators:\n  v: {validateRequestBody: 'yes', validateEverything: true}";
    let (found, warned) = findings(&doc(false, bad, &ops(&[("get", "")])));
    assert_eq!(
        found,
        [
            "x-amazon-apigateway-request-validators.v.validateRequestBody: expected true or false, found a string"
        ]
    );
    assert_eq!(
        warned,
        [
            "x-amazon-apigateway-request-validators.v.validateEverything: unknown request validator property `validateEverything`: skipped (served as if it were absent)"
        ]
    );
}

#[test]
fn http_apis_refuse_validators_and_ignore_schemas() {
    let paths = ops(&[(
        "post",
        "x-amazon-apigateway-request-validator: all, requestBody: {content: {application/json: {schema: {type: object}}}}, ",
    )]);
    let rest_only = "request validators are a REST API feature that HTTP APIs do not have (http-api-vs-rest): \
                     ignored, as AWS ignores them when importing an HTTP API; import the definition as a REST API \
                     (--api-type rest) to serve them";
    assert_eq!(
        warnings(&doc(true, "", &paths)),
        [format!(
            "paths./a.post.x-amazon-apigateway-request-validator: {rest_only}"
        )]
    );
    // Schemas and request bodies are ignored, as API Gateway ignores them.
    let paths = ops(&[(
        "post",
        "requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Bad_Name'}}}}, ",
    )]);
    let schemas = "components:\n  schemas:\n    Bad_Name: {type: object}";
    let api = import(&doc(true, schemas, &paths)).unwrap();
    assert!(api.models.is_empty());
    assert!(api.routes[0].request_models.is_empty());
}

#[test]
fn openapi3_body_models_by_content_type() {
    let components = "components:\n  schemas:\n    \
        Pet: {type: object, properties: {id: {type: integer, maximum: 9007199254740993}, price: {type: number, multipleOf: 0.01}}}\n    \
        Pets: {type: array, items: {$ref: '#/components/schemas/Pet'}, nullable: true, enum: [null]}\n    \
        CreatePetBody: {type: string}\n  \
        requestBodies:\n    \
        NewPet: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}, application/xml: {schema: {$ref: '#/components/schemas/Pets'}}}}\n    \
        Shared: {content: {text/plain: {schema: {type: string, maxLength: 10}}}}";
    let paths = "  /a:\n    \
        post: {requestBody: {$ref: '#/components/requestBodies/NewPet'}, x-amazon-apigateway-integration: PROXY}\n    \
        put: {operationId: create-pet, requestBody: {content: {application/json: {schema: {type: object, required: [id]}}, \
              application/x-www-form-urlencoded: {}, text/csv: {schema: {$ref: '#/components/schemas/Pets'}}, \
              application/vnd.pet+json: {schema: {type: object}}}}, x-amazon-apigateway-integration: PROXY}\n    \
        patch: {requestBody: {$ref: '#/components/requestBodies/Shared'}, x-amazon-apigateway-integration: PROXY}\n  \
        /b/{id}:\n    \
        patch: {parameters: [{name: id, in: path}], requestBody: {$ref: '#/components/requestBodies/Shared'}, x-amazon-apigateway-integration: PROXY}"
        .replace("PROXY", PROXY);
    let api = import(&doc(false, components, &paths)).unwrap();
    let models = |location: &str| {
        route(&api, location)
            .request_models
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        models("paths./a.post"),
        [("application/json", "Pet"), ("application/xml", "Pets")]
    );
    // Inline schemas become models named after the operation, clear of declared names.
    assert_eq!(
        models("paths./a.put"),
        [
            ("application/json", "CreatePetBody2"),
            ("application/vnd.pet+json", "CreatePetBody3"),
            ("text/csv", "Pets"),
        ]
    );
    // One inline schema shared through requestBodies is one model.
    assert_eq!(models("paths./a.patch"), [("text/plain", "PatchABody")]);
    assert_eq!(
        models("paths./b/{id}.patch"),
        [("text/plain", "PatchABody")]
    );
    assert_eq!(
        api.models.keys().collect::<Vec<_>>(),
        [
            "CreatePetBody",
            "CreatePetBody2",
            "CreatePetBody3",
            "PatchABody",
            "Pet",
            "Pets"
        ]
    );
    // Models are carried as written: `$ref`s intact, numbers exact.
    assert_eq!(
        api.models["Pets"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}, "nullable": true, "enum": [null]})
    );
    assert_eq!(
        api.models["Pet"],
        json!({"type": "object", "properties": {"id": {"type": "integer", "maximum": 9_007_199_254_740_993_u64}, "price": {"type": "number", "multipleOf": 0.01}}})
    );
    assert_eq!(
        api.models["CreatePetBody2"],
        json!({"type": "object", "required": ["id"]})
    );
    assert_eq!(
        api.models["PatchABody"],
        json!({"type": "string", "maxLength": 10})
    );
}

#[test]
fn swagger2_body_models_follow_consumes() {
    let definitions = "definitions:\n  Item: {type: object, properties: {tags: {type: array, items: {$ref: '#/definitions/Tag'}}}}\n  \
                       Tag: {type: string}\nparameters:\n  item: {name: item, in: body, schema: {$ref: '#/definitions/Item'}}";
    let body = "{in: body, name: b, schema: {$ref: '#/definitions/Item'}}";
    let paths = format!(
        "  /a:\n    \
         post: {{consumes: [application/json, application/xml], parameters: [{body}], x-amazon-apigateway-integration: {PROXY}}}\n    \
         put: {{parameters: [{{$ref: '#/parameters/item'}}], x-amazon-apigateway-integration: {PROXY}}}\n    \
         patch: {{parameters: [{{in: body, name: p, schema: {{type: object}}}}], x-amazon-apigateway-integration: {PROXY}}}\n  \
         /b:\n    parameters: [{body}]\n    \
         post: {{x-amazon-apigateway-integration: {PROXY}}}"
    );
    let models = |api: &Api, location: &str| {
        route(api, location)
            .request_models
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
    };
    // No document `consumes`: application/json.
    let api = import(&swagger2(definitions, &paths)).unwrap();
    assert_eq!(
        models(&api, "paths./a.post"),
        ["application/json Item", "application/xml Item"]
    );
    assert_eq!(models(&api, "paths./a.put"), ["application/json Item"]);
    assert_eq!(
        models(&api, "paths./a.patch"),
        ["application/json PatchABody"]
    );
    assert_eq!(models(&api, "paths./b.post"), ["application/json Item"]);
    assert_eq!(
        api.models["Item"],
        json!({"type": "object", "properties": {"tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}}})
    );
    // The document's `consumes` applies where the operation has none.
    let with_consumes = format!("{definitions}\nconsumes: [text/plain]");
    let api = import(&swagger2(&with_consumes, &paths)).unwrap();
    assert_eq!(models(&api, "paths./a.put"), ["text/plain Item"]);
    assert_eq!(
        models(&api, "paths./a.post"),
        ["application/json Item", "application/xml Item"]
    );
    // One body parameter only.
    let two = format!(
        "  /a:\n    post: {{parameters: [{body}, {body}], x-amazon-apigateway-integration: {PROXY}}}"
    );
    assert_eq!(
        problems(&swagger2(definitions, &two)),
        [
            "paths./a.post.parameters[1]: only one `in: body` parameter is allowed: it is the request body"
        ]
    );
}

#[test]
fn model_names_and_references_are_checked() {
    let schemas = "components:\n  schemas:\n    \
        Pet_Model: {type: object}\n    \
        Good:\n      \
          definitions: {Local: {type: string}}\n      \
          enum: [{$ref: 'data, not a schema'}]\n      \
          properties:\n        \
            a: {$ref: '#/components/schemas/Missing'}\n        \
            b: {$ref: 'other.yaml#/Pet'}\n        \
            c: {$ref: '#/info'}\n        \
            d: {$ref: '#/components/schemas/Good/properties/e'}\n        \
            e: {type: integer}\n        \
            f: {$ref: '#/components/schemas/Good/properties/zzz'}\n        \
            g: {items: [{$ref: '#/properties/e'}, {$ref: '#/definitions/Local'}], not: {$ref: '#'}}\n        \
            h: {$ref: 'https://apigateway.amazonaws.com/restapis/abc123/models/Pet_Model'}\n        \
            i: {allOf: [{$ref: 'https://apigateway.amazonaws.com/restapis/abc123/models/Nope'}]}\n        \
            $ref: {type: string}\n    \
        Scalar: 1\n    \
        Huge: {maximum: 100000000000000000000}";
    let paths = ops(&[(
        "post",
        "requestBody: {content: {a/b: {schema: {$ref: '#/components/schemas/Good/properties/e'}}, c/d: {schema: []}, \
         e/f: {schema: {$ref: '#/definitions/Good'}}}}, ",
    )]);
    let at = "components.schemas";
    let body = "paths./a.post.requestBody.content";
    let (errors, warned) = findings(&doc(false, schemas, &paths));
    // A reference to a missing model is AWS's warning, and validation accepts any value there.
    let open = "AWS imports it with a warning; request validation accepts any value here";
    assert_eq!(
        warned,
        [
            format!(
                "{at}.Good.properties.a.$ref: `#/components/schemas/Missing` names model `Missing`, which this file \
                 does not define: {open}"
            ),
            format!(
                "{at}.Good.properties.i.allOf[0].$ref: `https://apigateway.amazonaws.com/restapis/abc123/models/Nope` \
                 names model `Nope`, which this file does not define: {open}"
            ),
        ]
    );
    assert_eq!(
        errors,
        [
            format!(
                "{at}.Pet_Model: model name `Pet_Model` is not alphanumeric; \"Model names can only contain alphanumeric \
                 characters\" (api-gateway-known-issues): rename it and its `$ref`s"
            ),
            format!(
                "{at}.Good.properties.b.$ref: `other.yaml#/Pet` is not one of this API's models; a `$ref` in a model names a model \
                 (`#/definitions/NAME`, `#/components/schemas/NAME`, https://apigateway.amazonaws.com/restapis/API_ID/models/NAME) \
                 or a place inside the model itself, and nothing is fetched"
            ),
            format!(
                "{at}.Good.properties.c.$ref: `#/info` does not point inside this model, nor at a model"
            ),
            format!(
                "{at}.Good.properties.f.$ref: `#/components/schemas/Good/properties/zzz` does not point at anything inside model `Good`"
            ),
            format!("{at}.Scalar: expected a mapping, found a number"),
            format!(
                "{at}.Huge.maximum: the number 100000000000000000000 is too large for a JSON number"
            ),
            format!(
                "{body}.a/b.schema.$ref: `#/components/schemas/Good/properties/e` points inside model \
                 `Good`; a request body names a whole model (`#/components/schemas/NAME`)"
            ),
            format!("{body}.c/d.schema: expected a mapping, found a list"),
            format!(
                "{body}.e/f.schema.$ref: `#/definitions/Good` does not point at anything in this file"
            ),
        ]
    );
}

#[test]
fn inline_model_names() {
    assert_eq!(
        inline_name_base(Some("create-pet"), "POST", "/pets"),
        "CreatePet"
    );
    assert_eq!(
        inline_name_base(Some("listPets"), "GET", "/pets"),
        "ListPets"
    );
    assert_eq!(
        inline_name_base(None, "POST", "/pets/{id}/toys"),
        "PostPetsIdToys"
    );
    assert_eq!(inline_name_base(Some("--"), "ANY", "/"), "Any");
}

#[test]
fn body_refs_name_a_model_of_this_version() {
    // `''` makes `Item/` point at something: Item's `""` member, a part of Item.
    let definitions = "definitions:\n  Item: {type: object, '': {type: string}}\n\
                       components: {schemas: {Item: {type: object}}}";
    let body = |reference: &str| {
        format!(
            "  /a:\n    post: {{parameters: [{{in: body, name: b, schema: {{$ref: '{reference}'}}}}], \
             x-amazon-apigateway-integration: {PROXY}}}"
        )
    };
    let api = import(&swagger2(definitions, &body("#/definitions/%49tem"))).unwrap();
    assert_eq!(
        route(&api, "paths./a.post").request_models["application/json"],
        "Item"
    );
    let at = "paths./a.post.parameters[0].schema.$ref";
    assert_eq!(
        problems(&swagger2(definitions, &body("#/definitions/Item/"))),
        [format!(
            "{at}: `#/definitions/Item/` points inside model `Item`; a request body names a whole model (`#/definitions/NAME`)"
        )]
    );
    assert_eq!(
        problems(&swagger2(definitions, &body("#/components/schemas/Item"))),
        [format!(
            "{at}: `#/components/schemas/Item` is not a model; schemas refer to models (`#/definitions/NAME`) or to parts of them"
        )]
    );
}

#[test]
fn missing_models_load_with_warnings_and_validate_nothing_there() {
    let schemas = "components:\n  schemas:\n    \
        Order:\n      \
          type: object\n      \
          properties:\n        \
            id: {type: string}\n        \
            lines: {type: array, items: {$ref: '#/components/schemas/OrderLine'}}";
    let paths = ops(&[(
        "post",
        "requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}, \
         application/xml: {schema: {$ref: '#/components/schemas/Gone'}}}}, ",
    )]);
    let text = doc(false, schemas, &paths);
    let warned = warnings(&text);
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(warned[0].starts_with(
        "components.schemas.Order.properties.lines.items.$ref: `#/components/schemas/OrderLine` names model `OrderLine`"
    ));
    assert_eq!(
        warned[1],
        "paths./a.post.requestBody.content.application/xml.schema.$ref: `#/components/schemas/Gone` names a model \
         this file does not define: AWS imports it with a warning; the request body is not validated"
    );
    let api = import(&text).unwrap();
    assert_eq!(
        api.models["Order"],
        json!({"type": "object", "properties": {"id": {"type": "string"}, "lines": {"type": "array", "items": {}}}})
    );
    let models = &api.routes[0].request_models;
    assert_eq!(models.len(), 1, "{models:?}");
}
