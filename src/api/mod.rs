//! Pure request builders and response models for the Docker Hub API, one file per resource.
//!
//! A builder only describes a request: method, an already-encoded path, query, JSON body, what it
//! addresses (for error messages) and which OAT scope it needs, as an [`Endpoint`] that also names
//! the type its answer reads as. The client sends it. Nothing here does I/O, so every builder and
//! mapper is tested natively.

pub mod auditlogs;
pub mod auth;
mod endpoint;
pub mod error_body;
pub mod groups;
pub mod invites;
pub mod members;
pub mod registry_access;
pub mod settings;
pub mod visibility;

mod page;
mod request;
mod scope;

pub use endpoint::{Endpoint, FromResponse, NoContent, unreadable};
pub use error_body::DockerError;
pub use page::{Chunk, Page, Paged, present, whole};
pub use request::{ApiRequest, IfAbsent, JSON_MEDIA_TYPE, Refusal, path};
pub use scope::{OAT_SCOPES_HELP, Scope};
