//! The Tisseco HTTP API: routes, extractors, errors as problem+json, OpenAPI and its docs.

pub mod dto;
pub mod error;
pub mod extract;
pub mod geojson;
pub mod request_id;
pub mod routes;
pub mod state;

use crate::error::ApiError;
use crate::extract::BodyLimit;
use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::web::{self, Data, PayloadConfig};
use actix_web::{App, HttpRequest, HttpServer};
use std::net::TcpListener;
use tisseco_bootstrap::{HttpSettings, Services};
use utoipa::openapi::{InfoBuilder, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

pub const OPENAPI_PATH: &str = "/api/openapi.json";
pub const DOCS_PATH: &str = "/docs/";

/// Every documented route; the OpenAPI document is collected as they are mounted.
fn routes(config: &mut ServiceConfig) {
    use routes::{areas, containers, health, ogc, search, sites};
    // The public scope first: `/api/v1` would otherwise take its requests.
    config
        .service(health::live)
        .service(health::ready)
        .service(public_scope())
        .service(
            scope::scope("/api/v1")
                .service(sites::list_sites)
                .service(sites::create_site)
                .service(sites::get_site)
                .service(sites::patch_site)
                .service(sites::archive_site)
                .service(areas::list_areas)
                .service(areas::create_area)
                .service(areas::get_area)
                .service(areas::patch_area)
                .service(areas::archive_area)
                // Before `/containers/{id}` so that `search` is not taken for an id.
                .service(search::radius)
                .service(search::nearest)
                .service(search::in_bbox)
                .service(search::in_polygon)
                .service(search::in_area)
                .service(ogc::landing)
                .route("/ogc/", web::get().to(ogc::landing_page))
                .service(ogc::conformance)
                .service(ogc::collections)
                .service(ogc::one_collection)
                .service(ogc::items)
                .service(ogc::item)
                .service(containers::list_containers)
                .service(containers::create_container)
                .service(containers::get_container)
                .service(containers::patch_container)
                .service(containers::archive_container)
                .service(containers::container_history),
        );
}

/// The anonymous routes. RATE LIMITING (issue 3): wrap this scope with the per-IP
/// limiter (`.wrap(...)`); every public route lives here and nowhere else.
fn public_scope() -> scope::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    scope::scope("/api/v1/public").service(routes::public::nearby)
}

fn info() -> utoipa::openapi::Info {
    InfoBuilder::new()
        .title("Tisseco API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Sites → areas → containers of the Tisseco clothing collection. Errors are RFC 9457 \
             problem+json; updates need `If-Match` with the ETag last read.",
        ))
        .build()
}

/// The OpenAPI document of the whole API.
#[must_use]
pub fn openapi() -> OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .configure(routes)
        .split_for_parts();
    api.info = info();
    api
}

async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

/// Builds the actix application (used by the server and by in-process tests).
pub fn app(
    services: Services,
    json_limit_bytes: usize,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, mut api) = App::new()
        .into_utoipa_app()
        .configure(routes)
        .split_for_parts();
    api.info = info();
    app.app_data(Data::new(AppState(services)))
        .app_data(PayloadConfig::new(json_limit_bytes))
        .app_data(BodyLimit(json_limit_bytes))
        .app_data(web::PathConfig::default().error_handler(|error, _| {
            ApiError::NotFound(format!("no such resource: {error}")).into()
        }))
        .service(SwaggerUi::new(format!("{DOCS_PATH}{{_:.*}}")).url(OPENAPI_PATH, api))
        .default_service(web::to(not_found))
        .wrap(from_fn(request_id::middleware))
}

/// Starts serving on `listener`; the returned server stops gracefully on SIGINT/SIGTERM.
///
/// # Errors
/// When the listener can't be used.
pub fn serve(
    listener: TcpListener,
    services: Services,
    http: &HttpSettings,
) -> std::io::Result<Server> {
    let limit = http.json_limit_bytes;
    let server = HttpServer::new(move || app(services.clone(), limit))
        .workers(http.workers)
        .shutdown_timeout(http.shutdown_timeout.as_secs())
        .listen(listener)?
        .run();
    Ok(server)
}
