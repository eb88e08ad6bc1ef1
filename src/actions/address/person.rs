//! Who an input names: a person by username or email, resolved to exactly one member (Docker's
//! search is fuzzy; only an exact, case-insensitive match counts), one at a time or a short list
//! together. Used by every action and workflow that addresses people.

use serde_json::{Value, json};

use crate::actions::input::{about, given, path_segment, required_text};
use crate::actions::paging::{MAX_PAGE_SIZE, every_page};
use crate::api::members::{self, Member, MemberQuery, OrgMember};
use crate::api::{ApiRequest, FromResponse, Page, Paged};
use crate::client::Client;
use crate::client::paging::{DEFAULT_CONCURRENCY, DEFAULT_MAX_ITEMS};
use crate::error::{Error, ErrorKind, Result};

/// Who to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// A Docker ID.
    Username(String),
    /// An email address.
    Email(String),
}

impl Person {
    /// From the usual pair of optional input fields; exactly one must be given.
    pub fn from_fields(
        action: &str,
        username_field: &str,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Result<Self> {
        let username = given(username);
        let email = given(email);
        let expected = format!("exactly one of \"{username_field}\" (a Docker ID) and \"email\" (an email address)");
        let person = match (username, email) {
            (Some(u), None) => Ok(Person::Username(path_segment(action, username_field, Some(u))?)),
            (None, Some(e)) if e.contains('@') => Ok(Person::Email(required_text(action, "email", Some(e))?)),
            (None, Some(e)) => Err(Error::invalid_input(format!(
                "\"email\" must be an email address (got \"{e}\"); to look someone up by Docker ID use \"{username_field}\"."
            ))),
            (Some(_), Some(_)) => {
                Err(Error::invalid_input(format!("{action} takes either \"{username_field}\" or \"email\", not both.")))
            }
            (None, None) => Err(Error::invalid_input(format!("{action} needs \"{username_field}\" or \"email\"."))),
        };
        let hint = format!(
            "Give \"{username_field}\" (a Docker ID) or \"email\" (an address with \"@\"), exactly one of them."
        );
        person.map_err(|e| {
            let e = about(e, if email.is_some() { "email" } else { username_field }, &expected);
            if e.detail.as_ref().is_some_and(|d| d["expected"] == expected.as_str()) {
                e.add_detail(json!({ "hints": [hint] }))
            } else {
                e
            }
        })
    }

    /// The input field this person was given by: `username` or `email`.
    pub fn field(&self) -> &'static str {
        match self {
            Person::Username(_) => "username",
            Person::Email(_) => "email",
        }
    }

    /// What was given: the username or the email.
    pub fn value(&self) -> &str {
        match self {
            Person::Username(v) | Person::Email(v) => v,
        }
    }

    /// Whether `member` is this person (an exact match: see [`names`]).
    pub fn matches(&self, member: &Member) -> bool {
        same_person(member, matches!(self, Person::Email(_)), self.value())
    }

    /// `username "x"` or `email "y"`, for messages.
    pub fn describe(&self) -> String {
        match self {
            Person::Username(u) => format!("username \"{u}\""),
            Person::Email(e) => format!("email \"{e}\""),
        }
    }
}

/// Most search results examined when resolving one person.
const RESOLVE_MAX_ITEMS: usize = 1_000;

/// Finds the organization member `person` names, or `None` when nobody matches exactly (several
/// exact matches are still a `conflict`).
pub fn find_member(client: &Client, person: &Person) -> Result<Option<Member>> {
    match resolve_member(client, person) {
        Ok(member) => Ok(Some(member)),
        Err(e) if e.kind == ErrorKind::NotFound && e.status.is_none() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Finds the organization member `person` names. Docker's member search is fuzzy, so only an
/// exact (case-insensitive) match on the username or the email counts; a near match is never
/// returned. No match is `not-found` naming what was searched; several are `conflict` listing them.
pub fn resolve_member(client: &Client, person: &Person) -> Result<Member> {
    let org = client.org();
    let term = person.value().to_string();
    let query = MemberQuery { search: Some(term.clone()), ..MemberQuery::default() };
    let found: Vec<Member> = every_page(
        client,
        RESOLVE_MAX_ITEMS,
        &|page, size| members::list_members(org, &query, page, size),
        Member::from,
    )?
    .items;
    let (exact, near): (Vec<Member>, Vec<Member>) = found.into_iter().partition(|m| person.matches(m));
    match exact.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            let hidden = matches!(person, Person::Email(_))
                && crate::api::visibility::emails_hidden(near.iter().map(|m| m.email.as_deref()));
            let hint = if hidden { crate::api::visibility::HIDDEN_EMAILS_HINT } else { "" };
            let near: Vec<&str> = near.iter().map(|m| m.username.as_str()).take(10).collect();
            Err(Error::not_found(format!(
                "No member of organization \"{org}\" has the {} (only exact matches count; Docker's search is fuzzy).{hint}",
                person.describe()
            ))
            .with_detail(json!({ "searched": term, "near_matches": near })))
        }
        several => {
            let n = several.len();
            let names: Vec<String> = several.iter().map(|m| format!("\"{}\"", m.username)).collect();
            let candidates: Vec<Value> = exact
                .iter()
                .map(|m| json!({ "username": m.username, "email": m.email, "full_name": m.full_name }))
                .collect();
            Err(Error::conflict(format!(
                "{n} members of organization \"{org}\" match the {}: {}. Name one by username instead.",
                person.describe(),
                names.join(", ")
            ))
            .with_detail(json!({ "searched": term, "candidates": candidates })))
        }
    }
}

/// The member `person` names; nobody is `None` with `missing_ok: true`, and otherwise the
/// `not-found` of [`resolve_member`] (what was searched, the near matches) with how to accept it.
pub fn find_member_or_missing(client: &Client, person: &Person, missing_ok: Option<bool>) -> Result<Option<Member>> {
    match resolve_member(client, person) {
        Ok(member) => Ok(Some(member)),
        Err(e) if e.kind == ErrorKind::NotFound && e.status.is_none() => {
            if missing_ok.unwrap_or(false) {
                Ok(None)
            } else {
                Err(Error {
                    message: format!(
                        "{} Nothing was changed. If the person is known to be gone already, pass missing_ok: true to treat that as done.",
                        e.message
                    ),
                    ..e
                })
            }
        }
        Err(e) => Err(e),
    }
}

/// Every member of the organization.
pub fn roster(client: &Client, query: &MemberQuery) -> Result<Vec<Member>> {
    every_page(
        client,
        DEFAULT_MAX_ITEMS,
        &|page, size| members::list_members(client.org(), query, page, size),
        Member::from,
    )
    .map(|listing| listing.items)
}

/// A list of people given in `field` (usernames or emails): each entry trimmed, none blank or with
/// control characters, each person once (compared ignoring case, first spelling kept), at most
/// `most` entries.
pub fn distinct_people(field: &str, list: &[String], most: usize) -> Result<Vec<String>> {
    if list.len() > most {
        return Err(Error::invalid_input(format!(
            "\"{field}\" has {} entries; at most {most} are accepted in one call.",
            list.len()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut people = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let entry = entry.trim();
        if entry.is_empty() || entry.chars().any(char::is_control) {
            return Err(Error::invalid_input(format!("\"{field}[{i}]\" is blank or has control characters.")));
        }
        if seen.insert(entry.to_lowercase()) {
            people.push(entry.to_string());
        }
    }
    Ok(people)
}

/// Whether `member` is the one `entry` names: an exact, case-insensitive match on the email for an
/// entry with an `@`, on the username otherwise (Docker's search is fuzzy; a near match never counts).
pub fn names(entry: &str, member: &Member) -> bool {
    same_person(member, entry.contains('@'), entry)
}

/// The one rule of an exact match: `value` is the member's email (`by_email`) or username, ignoring
/// ASCII case.
fn same_person(member: &Member, by_email: bool, value: &str) -> bool {
    if by_email {
        member.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(value))
    } else {
        member.username.eq_ignore_ascii_case(value)
    }
}

/// The member each of `entries` names ([`names`]), `None` for nobody. Up to one batch of them
/// ([`DEFAULT_CONCURRENCY`]) are looked up with one search each, sent together (one round trip, a
/// request per person); more, or a search whose answer runs past one page, and the whole roster
/// is read once instead (fewer requests than a search per person from there on).
pub fn resolve_entries(client: &Client, entries: &[String]) -> Result<Vec<Option<Member>>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    if entries.len() <= DEFAULT_CONCURRENCY as usize {
        let org = client.org();
        let requests: Vec<ApiRequest> = entries
            .iter()
            .map(|entry| {
                let query = MemberQuery { search: Some(entry.clone()), ..MemberQuery::default() };
                members::list_members(org, &query, 1, MAX_PAGE_SIZE).into_request()
            })
            .collect();
        let mut found = Vec::with_capacity(entries.len());
        for ((entry, request), answer) in
            entries.iter().zip(&requests).zip(client.send_batch(&requests, DEFAULT_CONCURRENCY))
        {
            let chunk = Page::<OrgMember>::from_response(&answer?, request)?.into_chunk();
            // Only a whole answer proves nobody matches: by its count, else by saying no next page
            // (or a page short of full); otherwise the roster is read instead.
            let whole = match chunk.count {
                Some(count) => count <= chunk.items.len() as u64,
                None => chunk.has_next == Some(false) || chunk.items.len() < MAX_PAGE_SIZE as usize,
            };
            if !whole {
                found.clear();
                break;
            }
            found.push(chunk.items.into_iter().map(Member::from).find(|m| names(entry, m)));
        }
        if found.len() == entries.len() {
            return Ok(found);
        }
    }
    let everyone = roster(client, &MemberQuery::default())?;
    Ok(entries.iter().map(|entry| everyone.iter().find(|m| names(entry, m)).cloned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_given_by_exactly_one_field() {
        assert_eq!(
            Person::from_fields("get-member", "username", Some(" jon "), None).unwrap(),
            Person::Username("jon".into())
        );
        assert_eq!(Person::from_fields("get-member", "username", Some(""), Some("J@x.io")).unwrap().field(), "email");
        assert!(
            Person::from_fields("get-member", "username", Some("jon"), Some("j@x.io"))
                .unwrap_err()
                .message
                .contains("not both")
        );
        assert!(
            Person::from_fields("get-member", "username", None, Some("jon"))
                .unwrap_err()
                .message
                .contains("must be an email")
        );
        assert!(
            Person::from_fields("get-member", "username", None, Some(" "))
                .unwrap_err()
                .message
                .contains("needs \"username\" or \"email\"")
        );
    }
}
