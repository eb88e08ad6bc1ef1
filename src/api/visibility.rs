//! What Docker Hub shows to whom: members' emails.
//!
//! Docker documents that emails come back only to callers with elevated access: "If user is owner
//! of the org or has otherwise elevated permissions, they can search by email and the result will
//! also contain emails" (docker/docs `content/reference/api/hub/latest.yaml`, `GET
//! /v2/orgs/{org_name}/groups/{group_name}/members`). With a token Docker does not count as elevated,
//! the search still finds people by email, but the rows carry no email to match exactly. This
//! module recognises that answer so a lookup by email can say why it found nobody.

/// Whether a search's rows all came back without an email (and there were rows): the emails are
/// hidden from this caller, not missing from the organization.
pub fn emails_hidden<'a>(emails: impl IntoIterator<Item = Option<&'a str>>) -> bool {
    let mut rows = 0;
    for email in emails {
        rows += 1;
        if email.is_some_and(|e| !e.trim().is_empty()) {
            return false;
        }
    }
    rows > 0
}

/// The sentence added to a lookup by email that found rows without emails.
pub const HIDDEN_EMAILS_HINT: &str = " Docker Hub found members for this search but showed none of their emails: it shows \
emails only to callers with elevated access (an organization owner's access), so this token cannot match a person by \
email. Look them up by username instead (the search's matches are in the detail, as near_matches).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_without_any_email_mean_hidden_emails() {
        assert!(emails_hidden([None, Some(""), Some("  ")]));
        assert!(!emails_hidden([None, Some("a@x.io")]));
        assert!(!emails_hidden(std::iter::empty()), "no rows: nobody matched, nothing hidden");
    }
}
