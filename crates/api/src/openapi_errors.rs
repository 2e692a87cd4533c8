//! The answers every operation can give besides its own, added to the OpenAPI document in
//! one place (schemathesis found 401, 403, 404, 415, 422, 428 and 429 answered but not
//! documented on most routes): what the access middleware, the extractors and an outage
//! answer, and the bounds of `limit`.

use utoipa::Number;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build(),
    )
}

/// The status codes `operation` (a `method` on `path`) can answer whatever its handler.
fn shared_codes(
    path: &str,
    method: &str,
    operation: &Operation,
) -> Vec<(&'static str, &'static str)> {
    let secured = operation
        .security
        .as_ref()
        .is_some_and(|s| s.iter().any(|r| r != &Default::default()));
    let has_path_params = path.contains('{');
    let has_body = operation.request_body.is_some();
    let mut codes = vec![
        (
            "400",
            "Malformed request: a parameter that does not parse, or a NUL character",
        ),
        ("422", "A value a rule refuses, named in `errors`"),
        ("429", "Rate limited; `Retry-After` says when to retry"),
        (
            "503",
            "The database is unavailable; `Retry-After` says when to retry",
        ),
    ];
    if secured {
        codes.push(("401", "No token, or a bad, expired or revoked one"));
        codes.push((
            "403",
            "Your role or the token's restrictions do not allow this",
        ));
    }
    if has_path_params {
        codes.push(("404", "No such resource"));
    }
    if has_body {
        codes.push(("413", "The body is larger than accepted"));
        codes.push(("415", "The body's content type is not accepted"));
    }
    if method != "get" {
        codes.push(("409", "The change clashes with the current state"));
    }
    // the updates, and a tour's stops (changed as a whole, like the tour), need If-Match
    if matches!(method, "patch" | "put") || path.starts_with("/api/v1/tours/{tour_id}/stops") {
        codes.push(("412", "Someone changed it since your `If-Match`"));
        codes.push(("428", "`If-Match` is required"));
    }
    codes
}

/// `limit` is 1–500 on every list (1–50 on the public lookup), as the handlers enforce.
fn bound_limit(path: &str, operation: &mut Operation) {
    let maximum = if path.starts_with("/api/v1/public/") {
        50
    } else {
        500
    };
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if parameter.name != "limit" || parameter.parameter_in != ParameterIn::Query {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
            schema.minimum = Some(Number::Int(1));
            schema.maximum = Some(Number::Int(maximum));
        }
    }
}

/// Adds the shared answers and the `limit` bounds to every operation of `api`.
pub fn document(api: &mut OpenApi) {
    for (path, item) in &mut api.paths.paths {
        let operations = [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            // OGC items serve any limit (above 500 as 500), as the standard asks
            if !path.contains("/ogc/") {
                bound_limit(path, operation);
            }
            for (code, description) in shared_codes(path, method, operation) {
                operation
                    .responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| problem(description));
            }
        }
    }
}
