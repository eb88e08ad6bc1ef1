//! Paging for actions, over the client's one walk ([`Client::walk`]): the paging input every
//! listing declares with `listing_input!` (`page`, `page_size`, `all_pages`, `max_items`,
//! `fields`), the paging block of their output, and the two ways an action reads a listing:
//! streamed into its output ([`write_listing`], over [`stream_paged`]) or collected whole
//! ([`every_page`]).

use serde::Serialize;

use super::input::in_range;
use crate::api::{Endpoint, Paged};
use crate::client::Client;
use crate::client::paging::{DEFAULT_MAX_ITEMS, PageSink, PageSpec};
use crate::error::{Error, Result};
use crate::output::{ObjectWriter, Output};

/// Declares a listing action's input: its own fields, then the paging fields every listing takes
/// (`page`, `page_size`, `all_pages`, `max_items`, `fields`), documented in the listing's words,
/// and `paging()`, which validates them (`fields` against the items under `items` in the action's
/// output: the output type's `ITEMS`, see [`listing_output!`]). One definition of the paging input
/// for every listing.
macro_rules! listing_input {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $( $(#[$fattr:meta])* pub $field:ident: $ty:ty, )*
        }
        items: $key:expr, noun: $noun:literal, per_page: $per_page:literal, default_size: $default:literal,
        all_pages: $all_doc:literal, each: $each:literal $(, size_attrs: [$($sattr:meta),*])? $(,)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, serde::Deserialize)]
        #[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fattr])* pub $field: $ty, )*
            /// Page to fetch (from 1); with all_pages, the page to start from.
            pub page: Option<u32>,
            #[doc = concat!($per_page, " per page, 1 to 100 (default ", stringify!($default), "; 100 with all_pages).")]
            $($(#[$sattr])*)?
            pub page_size: Option<u32>,
            #[doc = $all_doc]
            pub all_pages: Option<bool>,
            #[doc = concat!("With all_pages: fail rather than collect more than this many ", $noun, " (default 10000).")]
            pub max_items: Option<usize>,
            #[doc = concat!("Only these fields of each ", $each, " (all when absent), to keep answers small; an unknown name")]
            #[doc = "is refused naming the valid ones."]
            pub fields: Option<Vec<String>>,
        }

        impl $name {
            /// The validated paging fields (the `fields` input taken).
            pub fn paging(&mut self, action: &str) -> $crate::error::Result<$crate::actions::paging::Paging> {
                $crate::actions::paging::Paging::new(self.page, self.page_size, self.all_pages, self.max_items, $default)?
                    .select(action, $key, self.fields.take())
            }
        }
    };
}

/// Declares the output of a listing that [`write_listing`] streams: the fields written first, the
/// items, then what every listing ends with (`count`, `returned`, `truncated`, `paging`, `meta`).
/// The type exists for the manifest's output schema; `ITEMS` is the items' key.
macro_rules! listing_output {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $( $(#[doc = $fdoc:literal])* pub $field:ident: $ty:ty, )*
        }
        $(#[doc = $idoc:literal])*
        items $key:ident: $item:ty $(,)?
    ) => {
        $(#[doc = $doc])*
        #[derive(serde::Serialize)]
        #[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
        pub struct $name {
            $( $(#[doc = $fdoc])* pub $field: $ty, )*
            $(#[doc = $idoc])*
            pub $key: Vec<$item>,
            #[doc = concat!("How many ", stringify!($key), " match, as Docker reported it.")]
            pub count: Option<u64>,
            #[doc = concat!("How many ", stringify!($key), " this output holds.")]
            pub returned: usize,
            /// Whether max_items stopped an all_pages walk with more left: then `paging.next_page` is
            /// the page that holds the first item not returned. Present only when true.
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            pub truncated: bool,
            /// Which pages were read.
            pub paging: $crate::actions::paging::PagingOut,
            /// Requests and rate limit.
            pub meta: $crate::output::Meta,
        }

        impl $name {
            /// The key of the items in the output.
            pub const ITEMS: &'static str = stringify!($key);
        }
    };
}

/// Docker's largest page.
pub const MAX_PAGE_SIZE: u32 = 100;
/// Largest `max_items` accepted.
pub const MAX_ITEMS_LIMIT: usize = 100_000;

/// Validated paging choices.
#[derive(Debug, Clone)]
pub struct Paging {
    /// Walk every page from `spec.start_page`.
    pub all_pages: bool,
    /// Page, size and cap.
    pub spec: PageSpec,
    /// The `fields` input: only these fields of each item are written (all when `None`).
    pub fields: Option<Vec<String>>,
}

impl Paging {
    /// Validates the raw fields. `page_size` defaults to `default_size` for one page and to 100 when
    /// walking every page (fewest requests).
    pub fn new(
        page: Option<u32>,
        page_size: Option<u32>,
        all_pages: Option<bool>,
        max_items: Option<usize>,
        default_size: u32,
    ) -> Result<Self> {
        let all_pages = all_pages.unwrap_or(false);
        let start_page = in_range("page", page.unwrap_or(1), 1, 1_000_000)?;
        let fallback = if all_pages { MAX_PAGE_SIZE } else { default_size };
        let given_size = page_size;
        let page_size = in_range("page_size", page_size.unwrap_or(fallback), 1, MAX_PAGE_SIZE)?;
        let user_max = max_items.is_some();
        let max_items = match max_items {
            None => DEFAULT_MAX_ITEMS,
            Some(n) if (1..=MAX_ITEMS_LIMIT).contains(&n) => n,
            Some(n) => {
                return Err(crate::error::Error::invalid_input(format!(
                    "\"max_items\" must be between 1 and {MAX_ITEMS_LIMIT} (got {n})."
                )));
            }
        };
        // A max_items the caller chose is a limit (the first n items, then where to continue); the
        // default is a cap that fails the call rather than hold an unbounded listing.
        let truncate = user_max;
        // A small limit needs no full pages: ask for no more than it (as `gh --limit` does).
        let page_size = if all_pages && user_max && given_size.is_none() {
            page_size.min(u32::try_from(max_items).unwrap_or(MAX_PAGE_SIZE))
        } else {
            page_size
        };
        Ok(Paging { all_pages, spec: PageSpec { start_page, page_size, max_items, truncate }, fields: None })
    }

    /// Adds the `fields` input of a listing whose items are under `key` in `action`'s output: each
    /// name must be a field of the items (as the manifest's output schema lists them), or the input
    /// is refused naming the valid ones.
    pub fn select(mut self, action: &str, key: &str, fields: Option<Vec<String>>) -> Result<Self> {
        let Some(fields) = fields else { return Ok(self) };
        let valid = item_fields(action, key);
        let expected = format!("a list of at least one of {}", quoted(&valid));
        if fields.is_empty() {
            return Err(Error::invalid_input(format!(
                "\"fields\" is empty: name at least one field of each item ({}), or leave it out for all of them.",
                quoted(&valid)
            ))
            .with_detail(serde_json::json!({ "field": "/fields", "expected": expected })));
        }
        if let Some((index, unknown)) = fields.iter().enumerate().find(|(_, f)| !valid.contains(f)) {
            return Err(Error::invalid_input(format!(
                "\"fields[{index}]\" (\"{}\") is not a field of {action}'s {key}; the fields are {}.",
                unknown.escape_debug(),
                quoted(&valid)
            ))
            .with_detail(
                serde_json::json!({ "field": format!("/fields/{index}"), "expected": expected, "valid": valid }),
            ));
        }
        self.fields = Some(fields);
        Ok(self)
    }
}

/// The fields of the items under `key` in `action`'s output, read from the manifest's output
/// schema (the one description of the output).
pub fn item_fields(action: &str, key: &str) -> Vec<String> {
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&crate::manifest::describe()) else {
        return Vec::new();
    };
    let Some(schema) = manifest["actions"]
        .as_array()
        .and_then(|actions| actions.iter().find(|a| a["name"] == action))
        .map(|a| &a["output_schema"])
    else {
        return Vec::new();
    };
    let items = &schema["properties"][key]["items"];
    let item = match items.get("$ref").and_then(serde_json::Value::as_str) {
        Some(r) => schema.pointer(r.trim_start_matches('#')).unwrap_or(items),
        None => items,
    };
    item["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// `item` as JSON: only its `fields` when they are given (see [`Paging::select`]).
pub fn item_value<U: Serialize>(fields: Option<&[String]>, item: U) -> Result<serde_json::Value> {
    let value = serde_json::to_value(item)
        .map_err(|e| Error::invalid_response(format!("An item of the listing could not be written: {e}.")))?;
    Ok(match fields {
        Some(fields) => only(value, fields),
        None => value,
    })
}

/// Only `fields` of `item` (an object), in the item's own order.
fn only(item: serde_json::Value, fields: &[String]) -> serde_json::Value {
    match item {
        serde_json::Value::Object(map) => {
            serde_json::Value::Object(map.into_iter().filter(|(k, _)| fields.contains(k)).collect())
        }
        other => other,
    }
}

/// The paging block of a listing's output.
#[derive(Debug, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PagingOut {
    /// Whether max_items stopped the walk with more items left (then `next_page` says where to
    /// continue). Written at the top of the output, as `truncated`.
    #[serde(skip)]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(skip))]
    pub truncated: bool,
    /// First page fetched.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
    /// Pages fetched.
    pub pages_fetched: u32,
    /// Whether every page was walked.
    pub all_pages: bool,
    /// The page to ask for next, when there is one: in single-page mode the page after this one;
    /// with all_pages, when max_items stopped the walk, the page that holds the first item not
    /// returned.
    pub next_page: Option<u32>,
    /// The page before, when there is one (single-page mode).
    pub previous_page: Option<u32>,
}

/// Writes a listing's output into `out` (which holds the fields that come first): the items under
/// `key`, each mapped by `map` and written as its page is read (a long listing is never held
/// twice), then `count` (as Docker reported it), `returned`, `paging` and `meta`.
pub fn write_listing<L: Paged, U: Serialize>(
    mut out: ObjectWriter,
    key: &str,
    client: &Client,
    paging: Paging,
    page: &dyn Fn(u32) -> Endpoint<L>,
    map: impl Fn(L::Item) -> U,
) -> Result<Output> {
    let cap = paging.spec.max_items;
    let fields = paging.fields.clone();
    let mut items = out.array(key)?;
    let (count, paging) = stream_paged(client, paging, page, &mut |chunk, count| {
        for item in chunk {
            match &fields {
                None => items.push(&map(item))?,
                Some(fields) => items.push(&item_value(Some(fields), map(item))?)?,
            }
        }
        items.reserve_for(count.and_then(|c| usize::try_from(c).ok()).unwrap_or(0).min(cap));
        Ok(())
    })?;
    let returned = items.len();
    drop(items);
    out.field("count", &count)?;
    out.field("returned", &returned)?;
    if paging.truncated {
        out.field("truncated", &true)?;
    }
    out.field("paging", &paging)?;
    out.field("meta", &crate::output::Meta::of(client))?;
    Ok(out.finish())
}

/// Fetches what `paging` asks for: one page, with the next and previous page numbers (a next page
/// when Docker says there is one or, when it does not say, when the page is full), or every page
/// from the start page (bounded by `max_items`). Each page's items go to `sink` as the page is
/// read, with the count Docker reported when more pages will follow; returns that count and the
/// paging block.
pub fn stream_paged<L: Paged>(
    client: &Client,
    paging: Paging,
    page: &dyn Fn(u32) -> Endpoint<L>,
    sink: &mut PageSink<'_, L::Item>,
) -> Result<(Option<u64>, PagingOut)> {
    let spec = paging.spec;
    if paging.all_pages {
        let walked = client.walk(spec, page, sink)?;
        let out = PagingOut {
            truncated: walked.truncated,
            page: spec.start_page,
            page_size: spec.page_size,
            pages_fetched: walked.pages,
            all_pages: true,
            next_page: walked.resume_page,
            previous_page: None,
        };
        return Ok((walked.count, out));
    }
    let chunk = client.first_page(spec.start_page, spec.page_size, page)?.into_chunk();
    let full = chunk.items.len() >= spec.page_size as usize;
    let out = PagingOut {
        truncated: false,
        page: spec.start_page,
        page_size: spec.page_size,
        pages_fetched: 1,
        all_pages: false,
        next_page: chunk.has_next.unwrap_or(full).then(|| spec.start_page.saturating_add(1)),
        previous_page: (spec.start_page > 1).then(|| spec.start_page - 1),
    };
    // One page is all there will be: the sink is not told the listing's total.
    sink(chunk.items, None)?;
    Ok((chunk.count, out))
}

/// Everything [`every_page`] collected.
#[derive(Debug)]
pub struct Listing<T> {
    /// Items in page order.
    pub items: Vec<T>,
    /// The count page 1 reported.
    pub count: Option<u64>,
    /// Pages fetched.
    pub pages: u32,
}

/// Every item of a listing, mapped: all pages at Docker's largest page size, pages after the first
/// fetched together, failing rather than collecting more than `max_items`. `page` makes the
/// request for a page number and page size. For listings a caller reads whole (resolving a person,
/// a team by id, the roster, the workflows); listings an action outputs stream with
/// [`write_listing`]. Both go through [`Client::walk`], the one walk.
pub fn every_page<L: Paged, U>(
    client: &Client,
    max_items: usize,
    page: &dyn Fn(u32, u32) -> Endpoint<L>,
    map: impl Fn(L::Item) -> U,
) -> Result<Listing<U>> {
    let spec = PageSpec { start_page: 1, page_size: MAX_PAGE_SIZE, max_items, truncate: false };
    let mut items = Vec::new();
    let walked = client.walk(spec, &|number| page(number, spec.page_size), &mut |chunk, _| {
        items.extend(chunk.into_iter().map(&map));
        Ok(())
    })?;
    Ok(Listing { items, count: walked.count, pages: walked.pages })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_depend_on_all_pages() {
        let one = Paging::new(None, None, None, None, 10).unwrap();
        assert_eq!((one.spec.start_page, one.spec.page_size, one.all_pages), (1, 10, false));
        let all = Paging::new(None, None, Some(true), None, 10).unwrap();
        assert_eq!((all.spec.page_size, all.spec.max_items), (100, DEFAULT_MAX_ITEMS));
    }

    #[test]
    fn fields_must_be_fields_of_the_items() {
        let paging = || Paging::new(None, None, None, None, 10).unwrap();
        let names = item_fields("list-members", "members");
        assert!(names.iter().any(|n| n == "username") && names.iter().any(|n| n == "email"), "{names:?}");
        let e = paging().select("list-members", "members", Some(vec!["username".into(), "nick".into()])).unwrap_err();
        assert!(e.message.contains("\"fields[1]\" (\"nick\")") && e.message.contains("\"username\""), "{}", e.message);
        assert_eq!(e.detail.unwrap()["field"], "/fields/1");
        assert!(paging().select("list-members", "members", Some(vec![])).is_err());
        let ok = paging().select("list-members", "members", Some(vec!["username".into()])).unwrap();
        assert_eq!(ok.fields, Some(vec!["username".to_string()]));
        assert_eq!(
            only(serde_json::json!({"username": "a", "email": "b", "role": "c"}), &["username".into(), "role".into()]),
            serde_json::json!({"username": "a", "role": "c"})
        );
    }

    #[test]
    fn out_of_range_values_are_refused_by_name() {
        assert!(Paging::new(Some(0), None, None, None, 10).unwrap_err().message.contains("\"page\""));
        assert!(Paging::new(None, Some(101), None, None, 10).unwrap_err().message.contains("\"page_size\""));
        assert!(Paging::new(None, None, None, Some(0), 10).unwrap_err().message.contains("\"max_items\""));
    }
}
