//! The route table: every area declares its routes through [`Routes`], which builds the
//! axum router and remembers each path, so the whole table can be listed — and a test
//! sweeps every route as every role, failing when a route is missing from its policy.

use axum::Router;
use axum::routing::MethodRouter;

use crate::state::AppState;

/// Routes with their paths.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn route(mut self, path: &'static str, method_router: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, method_router);
        self.paths.push(path);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// A router a library builds (Swagger UI), with the paths it serves.
    pub fn foreign(mut self, paths: &[&'static str], router: Router<AppState>) -> Self {
        self.router = self.router.merge(router);
        self.paths.extend_from_slice(paths);
        self
    }

    pub fn paths(&self) -> &[&'static str] {
        &self.paths
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
