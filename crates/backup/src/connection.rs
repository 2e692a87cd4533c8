//! The database URL as the PostgreSQL tools take it: the password moves to `PGPASSWORD`
//! (a command line is visible to every user of the machine); `sslmode`, `sslrootcert` and
//! the rest stay in the URL, which libpq reads as the platform does.

use percent_encoding::percent_decode_str;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// The URL without its password, and the password.
///
/// # Errors
/// When the URL does not parse (the message never contains it).
pub fn split_password(url: &SecretString) -> Result<(String, Option<SecretString>), String> {
    let mut parsed =
        Url::parse(url.expose_secret()).map_err(|e| format!("DATABASE_URL does not parse: {e}"))?;
    let password = parsed.password().map(|encoded| {
        SecretString::from(percent_decode_str(encoded).decode_utf8_lossy().into_owned())
    });
    parsed
        .set_password(None)
        .map_err(|()| "DATABASE_URL cannot carry a password".to_owned())?;
    Ok((parsed.to_string(), password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_and_the_rest_stays() {
        let url = SecretString::from(
            "postgres://app:s%40cret@db.example:5432/tisseco?sslmode=verify-full".to_owned(),
        );
        let (bare, password) = split_password(&url).unwrap();
        assert_eq!(
            bare,
            "postgres://app@db.example:5432/tisseco?sslmode=verify-full"
        );
        assert_eq!(password.unwrap().expose_secret(), "s@cret");
    }

    #[test]
    fn a_url_without_password_is_kept() {
        let url = SecretString::from("postgres://app@localhost/tisseco".to_owned());
        let (bare, password) = split_password(&url).unwrap();
        assert_eq!(bare, "postgres://app@localhost/tisseco");
        assert!(password.is_none());
    }
}
