//! Which language a page is in: `?lang=` (the switch link, then remembered in the `lang`
//! cookie), else the cookie, else `Accept-Language`, else `DEFAULT_LOCALE`.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use std::future::{Ready, ready};
use tisseco_domain::Locale;

/// The cookie that remembers the language chosen with the switch.
pub const COOKIE: &str = "lang";

/// A page's language, and whether the reader just chose it (so it is remembered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLocale {
    pub locale: Locale,
    pub chosen: bool,
}

impl PageLocale {
    /// The language `request` asks for.
    #[must_use]
    pub fn of(request: &HttpRequest) -> Self {
        let asked = form_urlencoded::parse(request.query_string().as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Locale::from_tag(&v));
        if let Some(locale) = asked {
            return Self {
                locale,
                chosen: true,
            };
        }
        // the Cookie header read by hand: actix's cookie feature is not built
        let remembered = request
            .headers()
            .get_all(header::COOKIE)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .and_then(|(_, value)| Locale::from_tag(value));
        let accepted = || {
            request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::negotiate)
        };
        Self {
            locale: remembered
                .or_else(accepted)
                .unwrap_or_else(tisseco_i18n::default_locale),
            chosen: false,
        }
    }

    /// Adds the cookie when the reader just chose the language; says the answer varies.
    pub fn apply(self, response: &mut HttpResponse) {
        if self.chosen {
            let cookie = format!(
                "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
                self.locale.as_str()
            );
            if let Ok(value) = header::HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response.headers_mut().insert(
            header::VARY,
            header::HeaderValue::from_static("Accept-Language, Cookie"),
        );
    }
}

impl FromRequest for PageLocale {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(request)))
    }
}
