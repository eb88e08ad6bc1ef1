//! Request builders and models for this resource (see the module list in `api`).
