//! E-mail: MJML templates filled by minijinja (HTML-escaped), turned into HTML by mrml, with
//! a plain-text alternative, sent over SMTP by lettre. Templates are checked at start-up.

mod smtp;
mod templates;
mod words;

pub use smtp::{MailSettings, SmtpMailer};
pub use templates::{Rendered, Templates, samples};
