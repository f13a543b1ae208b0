//! Form posts from screens, with the CSRF check built into the extractor: a handler that
//! takes a [`PageForm`] cannot run for a forged post.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use madoguchi_domain::{Error, HistoryArea};
use serde::de::DeserializeOwned;

use crate::state::AppState;
use crate::web::actor::{
    Actor, AdminActor, OtpActor, OtpRegistrationActor, PasswordChangeActor, Rejection, SessionActor,
};
use crate::web::token;

/// The name of the hidden CSRF field in every form.
pub const CSRF_FIELD: &str = "csrf";

/// Something that holds a session, whose CSRF token a form must carry.
pub trait HasSession: FromRequestParts<AppState, Rejection = Rejection> + Send {
    fn actor(&self) -> &Actor;
}

impl HasSession for Actor {
    fn actor(&self) -> &Actor {
        self
    }
}

impl HasSession for PasswordChangeActor {
    fn actor(&self) -> &Actor {
        &self.0
    }
}

impl HasSession for OtpActor {
    fn actor(&self) -> &Actor {
        &self.0
    }
}

impl HasSession for OtpRegistrationActor {
    fn actor(&self) -> &Actor {
        &self.0
    }
}

impl HasSession for SessionActor {
    fn actor(&self) -> &Actor {
        &self.0
    }
}

impl HasSession for AdminActor {
    fn actor(&self) -> &Actor {
        AdminActor::actor(self)
    }
}

/// A posted form of type `T` from user `A`, whose CSRF token matched the session's.
pub struct PageForm<A, T> {
    pub actor: A,
    pub form: T,
}

impl<A, T> FromRequest<AppState> for PageForm<A, T>
where
    A: HasSession,
    T: DeserializeOwned + Send,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let actor = A::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|_| Rejection::new(&parts, Error::Invalid(Default::default())))?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let sent = fields
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !token::same(sent, &actor.actor().session().csrf_token) {
            let err = actor
                .actor()
                .refuse(
                    state,
                    HistoryArea::Auth,
                    "CSRFトークン検証",
                    Error::CsrfRejected,
                )
                .await;
            return Err(Rejection::new(&parts, err));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| Rejection::new(&parts, Error::Invalid(Default::default())))?;
        Ok(Self { actor, form })
    }
}
