//! The API's extractors: JSON bodies, path and query parameters whose refusals answer with
//! a stable code and the field's name, never serde's or axum's own text ("missing field `x`
//! at line 1 column 8").

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use madoguchi_domain::{Error, FieldErrors};
use serde::de::DeserializeOwned;

use crate::web::actor::Rejection;

/// A JSON body of type `T`.
pub struct Json<T>(pub T);

/// The refusal of a body that is not the `T` it should be.
fn body_refusal(err: &serde_path_to_error::Error<serde_json::Error>) -> Error {
    let inner = err.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return Error::MalformedBody;
    }
    let path = err.path().to_string();
    let at = |name: &str| match path.as_str() {
        "." | "" => name.to_owned(),
        p => format!("{p}.{name}"),
    };
    let text = inner.to_string();
    let mut fields = FieldErrors::new();
    // serde names a missing field in backticks: "missing field `login_id`".
    match text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
    {
        Some((name, _)) => fields.add(at(name), Error::MissingField),
        None => fields.add(
            if path == "." { "body".to_owned() } else { path },
            Error::WrongType,
        ),
    }
    Error::Invalid(fields)
}

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let json = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(Rejection::new(&parts, Error::MalformedBody));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|_| Rejection::new(&parts, Error::MalformedBody))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(Json)
            .map_err(|e| Rejection::new(&parts, body_refusal(&e)))
    }
}

/// Path parameters of type `T`; one that does not parse (`/users/abc`) is simply not found.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| Rejection::new(parts, Error::NotFound))
    }
}

/// Query parameters of type `T`.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map(Query)
            .map_err(|e: serde_urlencoded::de::Error| {
                let text = e.to_string();
                let mut fields = FieldErrors::new();
                match text
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split_once('`'))
                {
                    Some((name, _)) => fields.add(name, Error::MissingField),
                    None => fields.add("query", Error::WrongType),
                }
                Rejection::new(parts, Error::Invalid(fields))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        login_id: String,
        nested: Nested,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Nested {
        version: i64,
    }

    fn refusal(json: &str) -> Error {
        let de = &mut serde_json::Deserializer::from_str(json);
        let err = serde_path_to_error::deserialize::<_, Body>(de).unwrap_err();
        body_refusal(&err)
    }

    fn fields(err: &Error) -> Vec<(String, &'static str)> {
        match err {
            Error::Invalid(f) => f
                .iter()
                .map(|e| (e.field.clone(), e.error.code()))
                .collect(),
            other => vec![(String::new(), other.code())],
        }
    }

    #[test]
    fn refusals_name_the_field_with_a_code() {
        assert_eq!(
            fields(&refusal(r#"{"nested": {"version": 1}}"#)),
            vec![("login_id".to_owned(), "VAL-0015")]
        );
        assert_eq!(
            fields(&refusal(r#"{"login_id": "a", "nested": {"version": "x"}}"#)),
            vec![("nested.version".to_owned(), "VAL-0016")]
        );
        assert_eq!(
            fields(&refusal(r#"{"login_id": "a", "nested": {}}"#)),
            vec![("nested.version".to_owned(), "VAL-0015")]
        );
        assert_eq!(
            fields(&refusal("{\"login_id\": ")),
            vec![(String::new(), "VAL-0017")]
        );
        let text = refusal(r#"{"nested": {"version": 1}}"#).message_ja();
        assert!(!text.contains("line") && !text.contains('`'), "{text}");
    }
}
