//! The route template a request matched (`/api/v1/containers/{id}`), found once per request.
//! actix finds it by matching the path against the resources again (a regular expression
//! for each one with an `{id}`), and the metrics, tracing and access middlewares all need
//! it: three walks were 2 % of the API's CPU under a search load.

use actix_web::HttpMessage;
use actix_web::dev::ServiceRequest;

#[derive(Clone)]
struct MatchedRoute(Option<String>);

/// The request's route template; `None` when no route matches.
pub(crate) fn template(req: &ServiceRequest) -> Option<String> {
    if let Some(MatchedRoute(route)) = req.extensions().get::<MatchedRoute>() {
        return route.clone();
    }
    let route = req.match_pattern();
    req.extensions_mut().insert(MatchedRoute(route.clone()));
    route
}
