//! The staff console (the React app built from `web/`) served from a directory
//! (`CONSOLE_DIR`) at `/admin/`: hashed assets are cached for a year, every other
//! path under `/admin/` is a client route and gets `index.html`, and `/` leads there.
//! The drivers' app (a second build, `CONSOLE_DIR/driver`) is served the same way at
//! `/driver/`, its service worker and manifest included (their scope is `/driver/`).
//! Listed as public in `access::PAGES`: the files hold no data; the API calls they make
//! are authorised like any other.

use actix_web::http::header::{self, ContentType};
use actix_web::web::{self, Data};
use actix_web::{HttpRequest, HttpResponse};
use std::path::{Component, Path, PathBuf};

/// Where the console's built files are.
#[derive(Debug, Clone)]
pub struct ConsoleDir(pub PathBuf);

pub const PREFIX: &str = "/admin/";
/// Where the drivers' installable app lives (its files in `CONSOLE_DIR/driver`).
pub const DRIVER_PREFIX: &str = "/driver/";

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/", web::get().to(to_console))
        .route("/admin", web::get().to(to_console))
        .route("/reset-password", web::get().to(to_reset_page))
        .route("/admin/{path:.*}", web::get().to(file))
        .route("/driver", web::get().to(to_driver))
        .route("/driver/{path:.*}", web::get().to(driver_file));
}

async fn to_driver() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, DRIVER_PREFIX))
        .finish()
}

async fn to_console() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, PREFIX))
        .finish()
}

/// The password-reset e-mail links to `{PUBLIC_BASE_URL}/reset-password?token=…`: the
/// console's page, with the token kept; where the console is not built (an API deployed
/// alone), the small server-rendered page that needs no JavaScript.
async fn to_reset_page(
    req: HttpRequest,
    dir: Data<ConsoleDir>,
    form: web::Query<crate::pages::reset::ResetForm>,
    language: crate::pages::locale::PageLocale,
) -> HttpResponse {
    if !dir.0.join("index.html").is_file() {
        return crate::pages::reset::reset_page(form, language);
    }
    let query = req.query_string();
    let location = if query.is_empty() {
        format!("{PREFIX}reset-password")
    } else {
        format!("{PREFIX}reset-password?{query}")
    };
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `relative` as a path inside the console directory, refusing `..` and absolute parts.
fn safe_relative(relative: &str) -> Option<PathBuf> {
    let path = Path::new(relative);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| path.to_path_buf())
}

/// The encodings the client accepts, best first, among those `npm run build` writes
/// beside each asset (`.br`, `.gz`).
fn encodings(req: &HttpRequest) -> Vec<(&'static str, &'static str)> {
    let accepted = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let accepts = |name: &str| {
        accepted.split(',').any(|part| {
            let mut pieces = part.split(';').map(str::trim);
            pieces.next() == Some(name) && !pieces.any(|p| p == "q=0")
        })
    };
    [("br", "br"), ("gzip", "gz")]
        .into_iter()
        .filter(|(name, _)| accepts(name))
        .collect()
}

/// The file, or its compressed twin when the client takes it: `(bytes, encoding)`.
async fn read_encoded(
    req: &HttpRequest,
    path: &Path,
) -> std::io::Result<(Vec<u8>, Option<&'static str>)> {
    for (encoding, suffix) in encodings(req) {
        let mut twin = path.as_os_str().to_owned();
        twin.push(format!(".{suffix}"));
        if let Ok(bytes) = read(PathBuf::from(twin)).await {
            return Ok((bytes, Some(encoding)));
        }
    }
    Ok((read(path.to_path_buf()).await?, None))
}

fn respond(
    bytes: Vec<u8>,
    encoding: Option<&'static str>,
    kind: &str,
    cache: &str,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, kind))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Accept-Encoding"));
    if let Some(encoding) = encoding {
        response.insert_header((header::CONTENT_ENCODING, encoding));
    }
    response.body(bytes)
}

/// Reads a file on the blocking pool (tokio's `fs` feature is not enabled here).
async fn read(path: PathBuf) -> std::io::Result<Vec<u8>> {
    web::block(move || std::fs::read(path))
        .await
        .map_err(std::io::Error::other)?
}

async fn file(req: HttpRequest, dir: Data<ConsoleDir>) -> HttpResponse {
    serve(&req, &dir.0).await
}

async fn driver_file(req: HttpRequest, dir: Data<ConsoleDir>) -> HttpResponse {
    serve(&req, &dir.0.join("driver")).await
}

/// A file of a built app, or its `index.html` for a client route.
async fn serve(req: &HttpRequest, dir: &Path) -> HttpResponse {
    let relative = req.match_info().get("path").unwrap_or("");
    let asset = safe_relative(relative).filter(|p| !p.as_os_str().is_empty());
    if let Some(asset) = asset {
        let full = dir.join(&asset);
        if let Ok((bytes, encoding)) = read_encoded(req, &full).await {
            // Vite puts a content hash in every name under assets/: it never changes.
            let cache = if relative.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            return respond(bytes, encoding, content_type(&full), cache);
        }
        // A missing asset is a 404, not the app: a stale page must not run HTML as JS.
        if relative.starts_with("assets/") || asset.extension().is_some() {
            return HttpResponse::NotFound()
                .content_type(ContentType::plaintext())
                .body("not found");
        }
    }
    match read_encoded(req, &dir.join("index.html")).await {
        Ok((bytes, encoding)) => respond(bytes, encoding, "text/html; charset=utf-8", "no-cache"),
        Err(error) => {
            tracing::warn!(error = %error, console.dir = %dir.display(), "the console is not built");
            HttpResponse::NotFound()
                .content_type(ContentType::plaintext())
                .body("The console is not built: run `npm ci && npm run build` in web/ (or `just dev`), or set CONSOLE_DIR.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_console_directory() {
        assert_eq!(
            safe_relative("assets/a.js"),
            Some(PathBuf::from("assets/a.js"))
        );
        assert_eq!(safe_relative("../secret"), None);
        assert_eq!(safe_relative("assets/../../x"), None);
        assert_eq!(safe_relative("/etc/passwd"), None);
    }

    #[test]
    fn the_best_accepted_encoding_comes_first() {
        use actix_web::test::TestRequest;
        let req = TestRequest::default()
            .insert_header((header::ACCEPT_ENCODING, "gzip, deflate, br"))
            .to_http_request();
        assert_eq!(encodings(&req), [("br", "br"), ("gzip", "gz")]);
        let req = TestRequest::default()
            .insert_header((header::ACCEPT_ENCODING, "gzip;q=1, br;q=0"))
            .to_http_request();
        assert_eq!(encodings(&req), [("gzip", "gz")]);
        assert!(encodings(&TestRequest::default().to_http_request()).is_empty());
    }

    #[test]
    fn types_follow_the_extension() {
        assert_eq!(
            content_type(Path::new("a.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
    }
}
