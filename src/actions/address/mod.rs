//! How an action names the people and teams it works on, and how they are found: exactly, never
//! by a near match. One module per kind; every action and workflow that addresses a person or a
//! team uses these.

pub mod person;
pub mod team;
