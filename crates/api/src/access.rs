//! Who may call what, in one place. Each route declares its access in its OpenAPI
//! `security` (no requirement: public; `bearer: [role]`: that role or above); this
//! middleware enforces exactly that table, authenticates the bearer token, and applies
//! the rate limit of the route's group. A route without a declared policy is refused.

use crate::error::ApiError;
use crate::state::AppState;
use crate::{DOCS_PATH, OPENAPI_PATH};
use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;
use chrono::Utc;
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::IpAddr;
use tisseco_application::AppError;
use tisseco_application::auth::ports::{AccessRequest, Operation, Quota, RateDecision};
use tisseco_bootstrap::RateLimits;
use tisseco_domain::{Access, Role};

/// The scheme name routes use in `security(("bearer" = ["manager"]))`.
pub const BEARER: &str = "bearer";

/// The public HTML pages and their asset (not in the OpenAPI document, which describes the
/// JSON API): each is listed here, method and pattern, and is public like `security(())`.
/// The staff console's files are public too: they hold no data, and the API calls they
/// make need a token like any other.
pub const PAGES: [(Method, &str); 12] = [
    (Method::GET, "/c/"),
    (Method::GET, "/c/{code}"),
    (Method::POST, "/c/{code}"),
    (Method::GET, "/r/{token}"),
    (Method::GET, "/reset-password"),
    (Method::POST, "/reset-password"),
    (Method::GET, "/assets/site.css"),
    (Method::GET, "/"),
    (Method::GET, "/admin"),
    (Method::GET, "/admin/{path:.*}"),
    (Method::GET, "/driver"),
    (Method::GET, "/driver/{path:.*}"),
];

/// Whether `pattern` is one of the public HTML pages.
fn is_page(pattern: &str) -> bool {
    PAGES.iter().any(|(_, p)| *p == pattern)
}

/// Route → access, read from the OpenAPI document the routes were collected into.
#[derive(Debug, Clone, Default)]
pub struct AccessPolicies {
    routes: HashMap<(Method, String), Access>,
}

impl AccessPolicies {
    /// Reads every operation's `security`; operations without one get no entry.
    #[must_use]
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = HashMap::new();
        let document = serde_json::to_value(api).unwrap_or_default();
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        for (path, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let (Ok(method), Some(requirements)) = (
                    method.to_uppercase().parse::<Method>(),
                    operation["security"].as_array(),
                ) else {
                    continue;
                };
                let access = if requirements
                    .iter()
                    .any(|r| r.as_object().is_some_and(serde_json::Map::is_empty))
                {
                    Some(Access::Public)
                } else {
                    requirements
                        .iter()
                        .filter_map(|r| r[BEARER].as_array()?.first()?.as_str().map(Role::parse))
                        .find_map(Result::ok)
                        .map(Access::AtLeast)
                };
                if let Some(access) = access {
                    routes.insert((method, path.clone()), access);
                }
            }
        }
        Self { routes }
    }

    #[must_use]
    pub fn get(&self, method: &Method, pattern: &str) -> Option<Access> {
        if pattern == OPENAPI_PATH || pattern.starts_with(DOCS_PATH) {
            return Some(Access::Public);
        }
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        if PAGES.iter().any(|(m, p)| m == method && *p == pattern) {
            return Some(Access::Public);
        }
        // `/ogc/` (a client adding a slash) shares the policy of `/ogc`.
        let pattern = pattern
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(pattern);
        self.routes
            .get(&(method.clone(), pattern.to_owned()))
            .copied()
    }

    /// The methods `pattern` answers (with `HEAD` wherever `GET` is), for `Allow`.
    #[must_use]
    pub fn allowed_methods(&self, pattern: &str) -> Vec<Method> {
        let pattern = pattern
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(pattern);
        let mut methods: Vec<Method> = self
            .routes
            .keys()
            .filter(|(_, path)| path == pattern)
            .map(|(method, _)| method.clone())
            .chain(
                PAGES
                    .iter()
                    .filter(|(_, path)| *path == pattern)
                    .map(|(method, _)| method.clone()),
            )
            .collect();
        if methods.contains(&Method::GET) {
            methods.push(Method::HEAD);
        }
        methods.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        methods.dedup();
        methods
    }

    /// Every declared route, for the route × role tests.
    pub fn iter(&self) -> impl Iterator<Item = (&Method, &str, Access)> {
        self.routes
            .iter()
            .map(|((method, path), access)| (method, path.as_str(), *access))
    }
}

/// The client's address: the peer, or — when the peer is a trusted proxy — the last
/// address in `X-Forwarded-For` that is not itself a trusted proxy.
#[must_use]
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    let hops: Vec<IpAddr> = forwarded
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    Some(
        hops.into_iter()
            .rev()
            .find(|ip| !is_trusted(ip))
            .unwrap_or(peer),
    )
}

/// The client's address as the rate limits see it (the peer, or the forwarded address
/// behind a trusted proxy), for use cases that bound what one client can cause.
#[must_use]
pub fn client_of(req: &actix_web::HttpRequest) -> Option<String> {
    let trusted = req
        .app_data::<Data<HttpPolicy>>()
        .map(|p| p.trusted_proxies.clone())
        .unwrap_or_default();
    client_ip(req.peer_addr().map(|a| a.ip()), req.headers(), &trusted).map(|ip| ip.to_string())
}

fn bearer_token(req: &ServiceRequest) -> Result<&str, ApiError> {
    let unauthenticated = |reason: &str| ApiError::App(AppError::Unauthenticated(reason.into()));
    let value = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or_else(|| unauthenticated("sign in: send Authorization: Bearer <token>"))?;
    let value = value
        .to_str()
        .map_err(|_| unauthenticated("the Authorization header is not readable"))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthenticated(
            "use the Bearer scheme: Authorization: Bearer <token>",
        ));
    }
    let token = token.trim();
    if token.is_empty() {
        Err(unauthenticated("the bearer token is empty"))
    } else {
        Ok(token)
    }
}

/// The value of `{name}` in `path` matched against `pattern` (tour-scoped tokens need the
/// tour a request is about before the route runs).
fn path_param<'a>(pattern: &str, path: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("{{{name}}}");
    let position = pattern.split('/').position(|segment| segment == wanted)?;
    path.split('/').nth(position)
}

fn operation(method: &Method) -> Operation {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        Operation::Read
    } else {
        Operation::Write
    }
}

/// The group a route's rate limit comes from, and the key it counts under.
fn limit_for(
    limits: &RateLimits,
    access: Access,
    pattern: &str,
    who: &str,
) -> (Quota, String, bool) {
    match access {
        Access::AtLeast(_) => (limits.api, format!("api:{who}"), false),
        Access::Public if pattern.starts_with("/api/v1/auth/") => {
            (limits.login, format!("login:{who}"), true)
        }
        Access::Public => (limits.public, format!("public:{who}"), false),
    }
}

fn rate_headers(headers: &mut HeaderMap, decision: &RateDecision) {
    let pairs = [
        ("ratelimit-limit", decision.limit.to_string()),
        ("ratelimit-remaining", decision.remaining.to_string()),
        (
            "ratelimit-reset",
            decision.reset_after.as_millis().div_ceil(1000).to_string(),
        ),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

async fn check_rate(
    state: &AppState,
    quota: Quota,
    key: &str,
    fail_closed: bool,
) -> Result<Option<RateDecision>, ApiError> {
    match state.limiter.check(key, quota, 1).await {
        Ok(decision) if decision.allowed => Ok(Some(decision)),
        Ok(decision) => Err(ApiError::RateLimited(decision)),
        Err(error) if fail_closed => {
            // the Redis adapter logs the outage once; per request is debug
            tracing::debug!(error = %error, "rate limiter unavailable; refusing sign-in requests");
            Err(AppError::Unavailable("sign-in is temporarily unavailable".into()).into())
        }
        Err(error) => {
            tracing::debug!(error = %error, "rate limiter unavailable; letting the request through");
            Ok(None)
        }
    }
}

/// The client's address as a rate-limit key.
fn client_key(req: &ServiceRequest, http: &HttpPolicy) -> String {
    client_ip(
        req.peer_addr().map(|a| a.ip()),
        req.headers(),
        &http.trusted_proxies,
    )
    .map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

/// Decides whether the request may proceed; returns the rate decision to report.
async fn admit(req: &ServiceRequest, pattern: &str) -> Result<Option<RateDecision>, ApiError> {
    let (Some(state), Some(policies), Some(http)) = (
        req.app_data::<Data<AppState>>(),
        req.app_data::<Data<AccessPolicies>>(),
        req.app_data::<Data<HttpPolicy>>(),
    ) else {
        return Err(AppError::Unexpected("the access middleware is not configured".into()).into());
    };
    let Some(access) = policies.get(req.method(), pattern) else {
        let allowed = policies.allowed_methods(pattern);
        if !allowed.is_empty() {
            // anyone can send TRACE or PUT: a client mistake, not worth an error log line
            tracing::debug!(http.route = %pattern, http.method = %req.method(), "method not allowed");
            let allow: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            return Err(ApiError::MethodNotAllowed(allow.join(", ")));
        }
        tracing::error!(http.route = %pattern, "route has no declared access policy; refusing");
        return Err(AppError::Forbidden("this route has no access policy".into()).into());
    };
    match access {
        Access::Public => {
            let (quota, key, fail_closed) =
                limit_for(&http.rate_limits, access, pattern, &client_key(req, http));
            check_rate(state, quota, &key, fail_closed).await
        }
        Access::AtLeast(required) => {
            let tour = path_param(pattern, req.path(), "tour_id").and_then(|id| id.parse().ok());
            let request = AccessRequest {
                required,
                operation: operation(req.method()),
                tour,
                now: Utc::now(),
            };
            // Signature and shape first, then revocation and rate limit (both ask Redis:
            // sent together, they share one round trip); the Datalog policy runs last,
            // so a revoked or throttled token never costs an evaluation.
            if let Some(secret) = crate::links::secret(req) {
                // Counted per client like anonymous traffic, before the link is looked up:
                // guessing links costs what guessing anything public costs.
                let who = client_key(req, http);
                let (quota, key, fail_closed) =
                    limit_for(&http.rate_limits, Access::Public, pattern, &who);
                let decision = check_rate(state, quota, &key, fail_closed).await?;
                let principal = crate::links::open(req, state, &secret, required).await?;
                req.extensions_mut().insert(principal);
                return Ok(decision);
            }
            let pending = state.auth.verify(bearer_token(req)?, request.now)?;
            let who = pending.user_id().to_string();
            let (quota, key, fail_closed) = limit_for(&http.rate_limits, access, pattern, &who);
            let (unrevoked, decision) = tokio::join!(
                state.auth.check_revocation(pending, request.now),
                check_rate(state, quota, &key, fail_closed),
            );
            let unrevoked = unrevoked?;
            let decision = decision?;
            let principal = state.auth.authorize(unrevoked, &request)?;
            req.extensions_mut().insert(principal);
            Ok(decision)
        }
    }
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(pattern) = crate::route::template(&req) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    // HEAD is GET without the body: the routes are declared for GET only.
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    match admit(&req, &pattern).await {
        Ok(decision) if head => {
            let mut response = next.call(req).await?;
            if let Some(decision) = decision {
                rate_headers(response.headers_mut(), &decision);
            }
            Ok(response
                .map_body(|_, _| actix_web::body::BoxBody::new(()))
                .map_into_right_body())
        }
        Ok(decision) => {
            let mut response = next.call(req).await?;
            if let Some(decision) = decision {
                rate_headers(response.headers_mut(), &decision);
            }
            Ok(response.map_into_left_body())
        }
        Err(ApiError::RateLimited(decision)) if is_page(&pattern) => {
            // People on the public pages get a page, not a problem document.
            let language = crate::pages::PageLocale::of(req.request());
            let page = crate::pages::error_page(
                &AppError::RateLimited {
                    retry_after: decision.retry_after,
                },
                language,
            );
            let mut response = req.into_response(page);
            rate_headers(response.headers_mut(), &decision);
            Ok(response.map_into_right_body())
        }
        Err(error) => {
            let mut response = req.error_response(actix_web::Error::from(error));
            if let Some(decision) = response
                .response()
                .error()
                .and_then(|e| e.as_error::<ApiError>())
                .and_then(ApiError::rate_decision)
            {
                rate_headers(response.headers_mut(), &decision);
            }
            Ok(response.map_into_right_body())
        }
    }
}

/// The HTTP-level policies the middleware needs besides the route table.
#[derive(Debug, Clone)]
pub struct HttpPolicy {
    pub rate_limits: RateLimits,
    pub trusted_proxies: Vec<IpNet>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_read_by_position() {
        let tour = "01a200a6-66be-7436-a07a-43b699f0f973";
        let path = format!("/api/v1/tours/{tour}/stops");
        assert_eq!(
            path_param("/api/v1/tours/{tour_id}/stops", &path, "tour_id"),
            Some(tour)
        );
        assert_eq!(
            path_param("/api/v1/sites/{id}", "/api/v1/sites/x", "tour_id"),
            None
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_static("198.51.100.1, 203.0.113.9, 10.0.0.7"),
        );
        assert_eq!(
            client_ip(Some(proxy), &headers, &trusted),
            "203.0.113.9".parse().ok(),
            "the last untrusted hop"
        );
        assert_eq!(
            client_ip(Some(proxy), &headers, &[]),
            Some(proxy),
            "no trusted proxy: the peer"
        );
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            client_ip(Some(stranger), &headers, &trusted),
            Some(stranger),
            "an untrusted peer can't claim an address"
        );
        assert_eq!(
            client_ip(Some(proxy), &HeaderMap::new(), &trusted),
            Some(proxy)
        );
    }

    #[test]
    fn the_public_pages_and_only_they_are_public_without_a_declaration() {
        let policies = AccessPolicies::default();
        for (method, pattern) in [
            (Method::GET, "/c/{code}"),
            (Method::HEAD, "/c/{code}"),
            (Method::POST, "/c/{code}"),
            (Method::GET, "/r/{token}"),
            (Method::GET, "/assets/site.css"),
            (Method::GET, "/admin/{path:.*}"),
            (Method::GET, "/driver/{path:.*}"),
            (Method::GET, "/"),
        ] {
            assert_eq!(
                policies.get(&method, pattern),
                Some(Access::Public),
                "{method} {pattern}"
            );
        }
        assert_eq!(policies.get(&Method::POST, "/r/{token}"), None);
        assert_eq!(policies.get(&Method::DELETE, "/c/{code}"), None);
        assert_eq!(policies.get(&Method::GET, "/c/{code}/secret"), None);
        assert_eq!(policies.get(&Method::GET, "/assets/{file}"), None);
        assert_eq!(policies.get(&Method::POST, "/admin/{path:.*}"), None);
    }

    #[test]
    fn reads_declare_read_and_the_rest_write() {
        assert_eq!(operation(&Method::GET), Operation::Read);
        assert_eq!(operation(&Method::PATCH), Operation::Write);
    }
}
