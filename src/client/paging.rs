//! Following every page of a listing, bounded and in order.
//!
//! Page links (`next`) are never followed: only their presence is read, and pages are asked for by
//! number on the configured base URL, so a `next` pointing at another host changes nothing. When
//! page 1 reports a `count`, the remaining pages go out together through the batch fetch; whatever
//! the count said, paging goes on while Docker reports a `next` page and stops on an empty page,
//! and never collects more than `max_items`.

use serde_json::json;

use super::Client;
use crate::api::{ApiRequest, Chunk, Endpoint, Paged};
use crate::error::{Error, ErrorKind, Result};

/// Pages fetched at once through the batch import.
pub const DEFAULT_CONCURRENCY: u32 = 8;
/// Default cap on the items one listing collects.
pub const DEFAULT_MAX_ITEMS: usize = 10_000;

/// How to walk a listing.
#[derive(Debug, Clone, Copy)]
pub struct PageSpec {
    /// First page to fetch (1-based); later pages follow it.
    pub start_page: u32,
    /// Items per page.
    pub page_size: u32,
    /// Stop with an error rather than collect more than this.
    pub max_items: usize,
}

/// Everything a walk collected.
#[derive(Debug)]
pub struct Listing<T> {
    /// Items in page order.
    pub items: Vec<T>,
    /// The count page 1 reported.
    pub count: Option<u64>,
    /// Pages fetched.
    pub pages: u32,
}

/// What a walk reports besides its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walked {
    /// The count page 1 reported.
    pub count: Option<u64>,
    /// Pages fetched.
    pub pages: u32,
}

/// Receives each page's items in order, with the count page 1 reported.
pub type PageSink<'s, T> = dyn FnMut(Vec<T>, Option<u64>) -> Result<()> + 's;

/// Walks a listing from `spec.start_page` to its end and returns every item.
pub fn list_all_pages<L: Paged>(
    client: &Client,
    spec: PageSpec,
    page: &dyn Fn(u32) -> Endpoint<L>,
) -> Result<Listing<L::Item>> {
    let mut items = Vec::new();
    let walked = client.walk(spec, page, &mut |chunk, _| {
        items.extend(chunk);
        Ok(())
    })?;
    Ok(Listing { items, count: walked.count, pages: walked.pages })
}

impl Client<'_> {
    /// Walks a listing from `spec.start_page` to its end, `page` making the request for a page
    /// number, and hands each page's items to `sink` as soon as the page is read. Batched pages go
    /// out [`DEFAULT_CONCURRENCY`] at a time and each group is read and dropped before the next is
    /// sent, so a long listing never holds more than one group of response bodies.
    pub fn walk<L: Paged>(
        &self,
        spec: PageSpec,
        page: &dyn Fn(u32) -> Endpoint<L>,
        sink: &mut PageSink<'_, L::Item>,
    ) -> Result<Walked> {
        let page_size = spec.page_size.max(1);
        let chunk = self.fetch(&page(spec.start_page))?.into_chunk();
        let count = chunk.count;
        let mut walk = Walk { items: 0, pages: 0, spec, next_page: spec.start_page, count, sink };
        let mut more = walk.take(chunk)?;

        if let (true, Some(total)) = (more, count) {
            if usize::try_from(total).map_or(true, |t| t > spec.max_items) {
                return Err(too_many(total, spec.max_items));
            }
            let before = u64::from(spec.start_page.saturating_sub(1)) * u64::from(page_size);
            let left = total.saturating_sub(before + walk.items as u64);
            let planned = u32::try_from(left.div_ceil(u64::from(page_size))).unwrap_or(u32::MAX);
            let requests: Vec<ApiRequest> = (0..planned).map(|i| page(walk.next_page + i).into_request()).collect();
            'groups: for group in requests.chunks(DEFAULT_CONCURRENCY as usize) {
                let answers = self.send_batch(group, DEFAULT_CONCURRENCY);
                for (request, answer) in group.iter().zip(answers) {
                    match answer {
                        Ok(response) => {
                            let chunk = L::from_response(&response, request).map_err(|e| walk.interrupted(e))?;
                            more = walk.take(chunk.into_chunk())?;
                            if !more {
                                break 'groups;
                            }
                        }
                        // The count was too high: the page past the real end does not exist.
                        Err(e) if e.kind == ErrorKind::NotFound => {
                            more = false;
                            break 'groups;
                        }
                        Err(e) => return Err(walk.interrupted(e)),
                    }
                }
            }
        }

        while more {
            let chunk = self.fetch(&page(walk.next_page)).map_err(|e| walk.interrupted(e))?;
            more = walk.take(chunk.into_chunk())?;
        }
        Ok(Walked { count, pages: walk.pages })
    }
}

/// Progress of one walk.
struct Walk<'a, 's, T> {
    items: usize,
    pages: u32,
    spec: PageSpec,
    next_page: u32,
    count: Option<u64>,
    sink: &'a mut PageSink<'s, T>,
}

impl<T> Walk<'_, '_, T> {
    /// Hands a page to the sink; says whether another should be fetched.
    fn take(&mut self, chunk: Chunk<T>) -> Result<bool> {
        let len = chunk.items.len();
        let full = len >= self.spec.page_size as usize;
        if self.items + len > self.spec.max_items {
            return Err(too_many((self.items + len) as u64, self.spec.max_items));
        }
        // A page the sink refuses (the output is full) is not counted as fetched: resuming from
        // `resume_page` asks for it again.
        (self.sink)(chunk.items, self.count).map_err(|e| self.interrupted(e))?;
        self.items += len;
        self.pages += 1;
        self.next_page = self.next_page.saturating_add(1);
        Ok(len > 0 && chunk.has_next.unwrap_or(full))
    }

    /// `error`, with how far the walk got and where to resume.
    fn interrupted(&self, error: Error) -> Error {
        let fetched = self.items;
        let resume = self.next_page;
        let message = format!(
            "{} {fetched} items on {} pages were fetched before this; to continue, run the action again with page={resume}.",
            error.message, self.pages
        );
        Error { message, ..error }.add_detail(json!({
            "fetched_items": fetched,
            "fetched_pages": self.pages,
            "resume_page": resume,
            "page_size": self.spec.page_size,
        }))
    }
}

fn too_many(total: u64, cap: usize) -> Error {
    Error::invalid_input(format!(
        "The listing has {total} or more items, more than max_items ({cap}). Raise max_items, narrow the query, \
or page through it with page and page_size instead of all_pages."
    ))
    .with_detail(json!({ "max_items": cap, "reported_items": total }))
}
