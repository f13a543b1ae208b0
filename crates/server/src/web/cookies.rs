//! The two cookies madoguchi sets: the session, and the login form's CSRF token.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// Name and attributes of a cookie, with or without the `__Host-` hardening.
#[derive(Debug, Clone, Copy)]
pub struct CookieSpec {
    secure: bool,
}

impl CookieSpec {
    pub fn new(secure: bool) -> Self {
        Self { secure }
    }

    pub fn session_name(self) -> &'static str {
        if self.secure {
            "__Host-madoguchi_session"
        } else {
            "madoguchi_session"
        }
    }

    pub fn login_name(self) -> &'static str {
        if self.secure {
            "__Host-madoguchi_login"
        } else {
            "madoguchi_login"
        }
    }

    /// `Set-Cookie` value: host-only, whole site, not readable by scripts, never sent
    /// along with a request that another site started.
    pub fn set(self, name: &str, value: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}")
    }

    /// `Set-Cookie` value that removes the cookie.
    pub fn clear(self, name: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
    }
}

/// The value of cookie `name` in the request, if sent.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; __Host-madoguchi_session=abc; b=2"),
        );
        assert_eq!(
            read(&headers, "__Host-madoguchi_session").as_deref(),
            Some("abc")
        );
        assert_eq!(read(&headers, "c"), None);
    }

    #[test]
    fn hardened_attributes() {
        let spec = CookieSpec::new(true);
        assert_eq!(
            spec.set(spec.session_name(), "x"),
            "__Host-madoguchi_session=x; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
    }
}
