//! A page of a Docker Hub listing (`count`, `next`, `previous`, `results`, or an array of such
//! pages), normalised into a [`Chunk`] for the client's walk, and the field readers answers share.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::FromResponse;

/// A Docker Hub paginated list (`count`, `next`, `previous`, `results`).
///
/// Docker's OpenAPI documents the member listing (`GET /v2/orgs/{org_name}/members`) as an *array*
/// of `org_member_paginated` objects, while the service answers one page object (as docker/hub-tool
/// and docker/terraform-provider-docker `internal/hubclient` decode it). Both are read: an array's
/// pages are merged (results in order, the first count and links that are present).
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Total items matching, as reported.
    pub count: Option<f64>,
    /// Link to the next page; only its presence is used (links are never followed).
    pub next: Option<String>,
    /// Link to the previous page.
    pub previous: Option<String>,
    /// This page's items.
    pub results: Vec<T>,
}

impl<T> Page<T> {
    /// Docker's `count` as a whole number of items: the one place it is read.
    pub fn total(&self) -> Option<u64> {
        whole(self.count)
    }
}

/// A number Docker sends as a JSON number (its schema says `number`, so `3.0` arrives) as a whole
/// count: a negative, fractional or non-finite value is none.
pub fn whole(n: Option<f64>) -> Option<u64> {
    n.filter(|v| v.is_finite() && *v >= 0.0 && v.fract() == 0.0).map(|v| v as u64)
}

/// Reads a field that must be present but may be `null`, for the one key that makes an answer what
/// it claims to be (`logs`, `data`, a team's `name`): `Option` fields are otherwise read as `None`
/// when missing, so a proxy's `200 {"error": ...}` would read as an empty result.
pub fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// One page of a listing, normalised.
pub struct Chunk<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Total reported by the service, if it reports one.
    pub count: Option<u64>,
    /// Whether the service says another page exists; `None` when it does not say (then a full page
    /// means "maybe more").
    pub has_next: Option<bool>,
}

/// An answer that is one page of a listing: how the client's walk reads it.
pub trait Paged: FromResponse {
    /// One item of the listing (compared to tell a page served twice from the next one).
    type Item: Clone + PartialEq;
    /// The page's items, with the count and the next page when the answer says.
    fn into_chunk(self) -> Chunk<Self::Item>;
}

/// A `count`/`next`/`results` page: a `next` link only says whether another page exists.
impl<T: DeserializeOwned + Clone + PartialEq> Paged for Page<T> {
    type Item = T;

    fn into_chunk(self) -> Chunk<T> {
        Chunk { count: self.total(), has_next: Some(self.next.is_some_and(|n| !n.is_empty())), items: self.results }
    }
}

/// One page object as Docker sends it.
#[derive(Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
struct PageObject<T> {
    #[serde(default)]
    count: Option<f64>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    previous: Option<String>,
    /// Required: a 2xx without it (`{}`, a proxy's `{"error": ...}`) is not an empty page.
    results: Vec<T>,
}

impl<T> From<PageObject<T>> for Page<T> {
    fn from(p: PageObject<T>) -> Self {
        Page { count: p.count, next: p.next, previous: p.previous, results: p.results }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor};
        use std::marker::PhantomData;

        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a page object {count, next, previous, results} or an array of page objects")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Page<T>, A::Error> {
                PageObject::deserialize(de::value::MapAccessDeserializer::new(map)).map(Page::from)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Page<T>, A::Error> {
                let mut page = Page { count: None, next: None, previous: None, results: Vec::new() };
                while let Some(part) = seq.next_element::<PageObject<T>>()? {
                    page.count = page.count.or(part.count);
                    page.next = page.next.or(part.next);
                    page.previous = page.previous.or(part.previous);
                    page.results.extend(part.results);
                }
                Ok(page)
            }
        }

        deserializer.deserialize_any(PageVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiRequest, Endpoint, Scope, path};
    use crate::host::{HttpResponse, Method};

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: u32,
    }

    #[test]
    fn a_page_is_read_as_one_object_or_as_an_array_of_pages() {
        let one: Page<Item> =
            serde_json::from_str(r#"{"count": 3, "next": "n", "previous": null, "results": [{"id": 1}]}"#).unwrap();
        assert_eq!((one.count, one.next.as_deref(), one.results), (Some(3.0), Some("n"), vec![Item { id: 1 }]));
        let documented: Page<Item> = serde_json::from_str(
            r#"[{"count": 3, "next": "n", "results": [{"id": 1}, {"id": 2}]}, {"results": [{"id": 3}]}]"#,
        )
        .unwrap();
        assert_eq!(documented.count, Some(3.0));
        assert_eq!(documented.next.as_deref(), Some("n"));
        assert_eq!(documented.results, vec![Item { id: 1 }, Item { id: 2 }, Item { id: 3 }]);
        let empty: Page<Item> = serde_json::from_str("[]").unwrap();
        assert!(empty.results.is_empty() && empty.count.is_none());
    }

    #[test]
    fn a_page_without_results_is_not_an_empty_page() {
        for body in [r#"{}"#, r#"{"error": "upstream proxy failure"}"#, r#"{"count": 3, "next": null}"#] {
            let e = serde_json::from_str::<Page<Item>>(body).unwrap_err().to_string();
            assert!(e.contains("missing field `results`"), "{body}: {e}");
        }
        let request: Endpoint<Page<Item>> =
            ApiRequest::new(Method::Get, path(&["v2"]), Scope::None, "members of x").into();
        let response =
            HttpResponse { status: 200, headers: vec![], body: br#"{"error": "upstream proxy failure"}"#.to_vec() };
        let e = request.read(&response).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidResponse);
        assert!(e.message.contains("answered 200 for members of x"), "{}", e.message);
        assert!(e.message.contains("it says \"upstream proxy failure\""), "{}", e.message);
    }

    #[test]
    fn a_page_of_another_shape_says_what_was_expected() {
        let e = serde_json::from_str::<Page<Item>>("42").unwrap_err().to_string();
        assert!(e.contains("a page object {count, next, previous, results} or an array of page objects"), "{e}");
        let e = serde_json::from_str::<Page<Item>>(r#"{"results": [{"id": "x"}]}"#).unwrap_err().to_string();
        assert!(e.contains("invalid type"), "{e}");
    }
}
