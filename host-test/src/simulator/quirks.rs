//! Docker Hub behaviours the simulator reproduces on request, one flag per quirk.
//!
//! Each flag is a place where Docker's documentation and the live service differ, or where the
//! plugin has to guess; `docs/docker-hub-quirks.md` lists them with their sources, and
//! `host-test/tests/fidelity.rs` runs the real component against each one. The defaults keep the
//! simulator's long-standing behaviour.

/// How a 429 says when calls are accepted again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RetryAfterStyle {
    /// `X-Retry-After: <unix time>` (Docker's older documentation).
    #[default]
    XRetryAfterUnix,
    /// `Retry-After: <seconds>` (Docker's current documentation, docker/docs PR 22916).
    RetryAfterSeconds,
    /// `Retry-After: <unix time>` and no `X-Retry-After` (what the service sent in 2025,
    /// docker/hub-feedback issue 2459).
    RetryAfterUnix,
    /// No retry header at all: only `X-RateLimit-Reset`.
    ResetOnly,
    /// `Retry-After: 18446744073709551615` (u64::MAX), plus `X-RateLimit-Reset`.
    Overflowing,
}

/// The shape of the simulator's error bodies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ErrorShape {
    /// `{"errinfo": {}, "detail": ..., "message": ...}` (the OpenAPI `error` schema).
    #[default]
    Detail,
    /// `{"txnid": ..., "message": ..., "errinfo": {}}`.
    TxnId,
    /// 400s as `{"fields": {field: [...]}, "text": ...}` (the OpenAPI `ValueError` schema); other
    /// errors as [`ErrorShape::Detail`].
    Fields,
    /// 400s as Django REST framework field arrays, `{field: [...]}`; other errors as
    /// [`ErrorShape::Detail`].
    Django,
    /// 400s as `{"message": "httperror 400: request had 1 validation error", "errinfo":
    /// {"fielderrors": {field: ...}}}` (docker/terraform-provider-docker issue 11); other errors as
    /// [`ErrorShape::Detail`].
    ErrinfoFieldErrors,
}

/// What the simulator answers when a member is added to a team they are already on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AlreadyMemberAnswer {
    /// 409 "User is already a member of the team."
    #[default]
    Conflict,
    /// 400 "User is already a member of the team."
    BadRequest,
    /// 200, as if the member had been added.
    Success,
}

/// A write the simulator fails on purpose: the `nth` write request it receives (every method but
/// `GET`, the token exchange aside; counted from 1 since it started) is answered `status` and not
/// carried out. Later writes are served as usual, so a second run gets through: what an outage in
/// the middle of a long apply looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailWrite {
    /// Which write fails (1 is the first).
    pub nth: u64,
    /// The status it is answered with (500: Docker Hub failed; a POST is then never retried).
    pub status: u16,
}

/// The quirks to reproduce (all off by default).
#[derive(Debug, Clone, Default)]
pub struct Quirks {
    /// How a 429 says when to come back.
    pub retry_after: RetryAfterStyle,
    /// Error body shape.
    pub error_shape: ErrorShape,
    /// Serve the member listing as Docker's OpenAPI documents it, an array of page objects, instead
    /// of the one page object the service answers.
    pub members_as_array: bool,
    /// Answer the bulk invite flat (`{"invitees": [...]}`, as terraform-provider-docker decodes it)
    /// instead of nested as the OpenAPI documents it (`{"invitees": {"invitees": [...]}}`).
    pub flat_bulk_invite: bool,
    /// Issue opaque access tokens (not JWTs) from the token exchange.
    pub opaque_tokens: bool,
    /// Refuse OATs on the organization settings (Image Access Management) with a 403, as Docker's
    /// OAT page says they are not supported there.
    pub iam_refuses_oat: bool,
    /// Path prefixes (such as `/v2/orgs/example-org/invites`) where every OAT is refused with
    /// Docker's `403 token issued from organization access token is not allowed`.
    pub oat_refused_paths: Vec<String>,
    /// Leave emails out of member and team-member listings, as Docker does for callers without
    /// elevated visibility (the group-members operation's documentation).
    pub hide_emails: bool,
    /// Status of the last-owner refusal (remove and demote); `None`: 403 on remove, 400 on demote.
    pub last_owner_status: Option<u16>,
    /// The answer to adding someone already on a team.
    pub already_member: AlreadyMemberAnswer,
    /// Answer every listing `GET` (members, teams, a team's members, pending invites, audit logs)
    /// with `200 {"error": "upstream proxy failure"}`: a proxy's error page under a 200 status,
    /// with no listing in it.
    pub proxy_error_page: bool,
    /// Ignore the `page` query parameter of listings: every page number serves page 1, with its
    /// count and its `next` link, as a server (or a mock) that does not page would.
    pub ignore_page: bool,
    /// Fail one write on purpose ([`FailWrite`]): a step that fails in the middle of a plan.
    pub fail_write: Option<FailWrite>,
}
