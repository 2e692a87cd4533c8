//! The Tisseco HTTP API: routes, access control, extractors, errors as problem+json,
//! OpenAPI and its docs.

pub mod access;
pub mod console;
mod csp;
pub mod csv;
pub mod dto;
pub mod error;
pub mod extract;
pub mod font;
pub mod geojson;
pub mod links;
pub mod metrics;
mod nul;
mod openapi_errors;
pub mod pages;
mod plain_errors;
pub mod qr;
pub mod request_id;
mod route;
pub mod routes;
pub mod state;

use crate::access::{AccessPolicies, BEARER, HttpPolicy};
use crate::error::ApiError;
use crate::extract::BodyLimit;
use crate::state::AppState;
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::{Method, header};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::web::{self, Data, PayloadConfig};
use actix_web::{App, HttpRequest, HttpServer};
use std::net::TcpListener;
use tisseco_bootstrap::{HttpSettings, Services};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

pub const OPENAPI_PATH: &str = "/api/openapi.json";
pub const DOCS_PATH: &str = "/docs/";

/// Every documented route; the OpenAPI document — and with it the access table — is
/// collected as they are mounted.
fn routes(config: &mut ServiceConfig) {
    use routes::{
        areas, auth, container_counts, containers, declaration, drivers, health, import_list,
        imports, labels, links, my_tours, ogc, open311, plan_day, predictions, queues, reports,
        search, session, sites, stats, stats_reports, tiles, timeline, tour_route, tours, users,
    };
    // The public scope first: `/api/v1` would otherwise take its requests.
    config
        .service(health::live)
        .service(health::ready)
        .service(public_scope())
        .service(open311::services)
        .service(open311::service_definition)
        .service(open311::post_request)
        .service(open311::list_requests)
        .service(open311::get_request)
        .service(
            scope::scope("/api/v1")
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::attenuate)
                .service(auth::me)
                .service(auth::patch_me)
                .service(auth::request_password_reset)
                .service(auth::confirm_password_reset)
                .service(session::open_session)
                .service(session::refresh_session)
                .service(session::close_session)
                // The map's requests, the busiest, before every route with an `{id}`: each
                // of those is tried with a regular expression until one matches. Before
                // `/containers/{id}` so that `search` is not taken for an id.
                .service(search::radius)
                .service(search::nearest)
                .service(search::in_bbox)
                .service(search::in_polygon)
                .service(search::in_area)
                .service(container_counts::container_counts)
                .service(tiles::container_tile)
                .service(ogc::landing)
                .route("/ogc/", web::get().to(ogc::landing_page))
                .service(ogc::conformance)
                .service(ogc::collections)
                // items before the collection: its expression is the one that matches
                .service(ogc::items)
                .service(ogc::item)
                .service(ogc::one_collection)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::patch_user)
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
                .service(predictions::due_containers)
                .service(containers::list_containers)
                .service(containers::create_container)
                .service(containers::get_container)
                .service(containers::patch_container)
                .service(containers::archive_container)
                .service(containers::container_history)
                .service(tours::container_visits)
                .service(timeline::container_timeline)
                .service(predictions::container_prediction)
                .service(stats::collections)
                .service(stats::collections_csv_export)
                .service(stats_reports::report_stats)
                .service(stats_reports::report_stats_csv)
                .service(stats_reports::neglected)
                .service(stats_reports::neglected_csv)
                .service(declaration::declaration)
                .service(declaration::declaration_csv)
                .service(tours::create_tour)
                .service(plan_day::plan_day)
                .service(tours::list_tours)
                .service(tours::get_tour)
                .service(tours::assign_tour)
                .service(tours::add_stops)
                .service(tours::remove_stop)
                .service(tours::reorder)
                .service(tours::plan)
                .service(tours::cancel)
                .service(tours::optimize)
                .service(tour_route::tour_route)
                .service(drivers::list_drivers)
                .service(my_tours::my_tours)
                .service(my_tours::my_tour)
                .service(my_tours::start)
                .service(my_tours::visit)
                .service(my_tours::skip)
                .service(my_tours::scan)
                .service(my_tours::complete)
                .service(tour_route::my_tour_route)
                .service(labels::qr_svg)
                .service(labels::qr_png)
                .service(labels::label_sheet)
                .service(links::create_link)
                .service(reports::list_reports)
                .service(reports::get_report)
                .service(reports::moderate_report)
                .service(imports::upload_import)
                .service(import_list::list_imports)
                .service(imports::import_template)
                .service(imports::get_import)
                .service(imports::cancel_import)
                .service(imports::import_errors)
                .service(queues::list_queues)
                .service(queues::list_dead_jobs)
                .service(queues::retry_dead_job)
                .service(queues::discard_dead_job),
        );
}

/// The anonymous routes; like every public route, they are rate limited per client IP
/// by the access middleware (their OpenAPI `security(())` says so).
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

fn document(mut api: OpenApi) -> OpenApi {
    api.info = InfoBuilder::new()
        .title("Tisseco API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Sites → areas → containers of the Tisseco clothing collection. Sign in at \
             `/api/v1/auth/login` and send `Authorization: Bearer <access_token>`; each route's \
             security names the least role it needs. Errors are RFC 9457 problem+json; updates \
             need `If-Match` with the ETag last read.",
        ))
        .build();
    let bearer = SecurityScheme::Http(
        Http::builder()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("biscuit")
            .build(),
    );
    api.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(BEARER, bearer);
    openapi_errors::document(&mut api);
    api
}

/// The OpenAPI document of the whole API.
#[must_use]
pub fn openapi() -> OpenApi {
    document(
        App::new()
            .into_utoipa_app()
            .configure(routes)
            .split_for_parts()
            .1,
    )
}

async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .allowed_header("x-request-id")
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .expose_headers([
            "x-request-id",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
        ])
        .max_age(3600)
}

fn security_headers(hsts: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_FRAME_OPTIONS, "DENY"));
    if hsts {
        headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}

/// Builds the actix application (used by the server and by in-process tests).
pub fn app(
    services: Services,
    http: HttpSettings,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, api) = App::new()
        .into_utoipa_app()
        .configure(routes)
        .split_for_parts();
    let api = document(api);
    let policies = AccessPolicies::from_openapi(&api);
    let policy = HttpPolicy {
        rate_limits: http.rate_limits,
        trusted_proxies: http.trusted_proxies.clone(),
    };
    app.app_data(Data::new(AppState(services)))
        .app_data(Data::new(http.open311_api_keys.clone()))
        .app_data(Data::new(routes::labels::PublicBaseUrl(
            http.public_base_url.clone(),
        )))
        .app_data(Data::new(routes::imports::UploadReadTimeout(
            http.upload_read_timeout,
        )))
        .app_data(Data::new(policies))
        .app_data(Data::new(policy))
        .app_data(PayloadConfig::new(http.json_limit_bytes))
        .app_data(BodyLimit(http.json_limit_bytes))
        .app_data(web::PathConfig::default().error_handler(|error, _| {
            tracing::debug!(error = %error, "path parameter refused");
            ApiError::NotFound("no such resource: an identifier in the URL is not valid".into())
                .into()
        }))
        .app_data(Data::new(console::ConsoleDir(http.console_dir.clone())))
        .configure(pages::configure)
        .configure(console::configure)
        .service(SwaggerUi::new(format!("{DOCS_PATH}{{_:.*}}")).url(OPENAPI_PATH, api))
        .default_service(web::to(not_found))
        .wrap(from_fn(access::middleware))
        .wrap(from_fn(csp::middleware))
        .wrap(from_fn(nul::middleware))
        .wrap(from_fn(plain_errors::middleware))
        .wrap(cors(&http.cors_allowed_origins))
        .wrap(security_headers(http.hsts))
        .wrap(from_fn(request_id::middleware))
        // outermost: counts every answer, the other middlewares' refusals included
        .wrap(from_fn(metrics::middleware))
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
    let settings = http.clone();
    let server = HttpServer::new(move || app(services.clone(), settings.clone()))
        .workers(http.workers)
        .shutdown_timeout(http.shutdown_timeout.as_secs())
        .listen(listener)?
        .run();
    Ok(server)
}
