//! Following every page of a listing, bounded and in order.
//!
//! Page links (`next`) are never followed: only their presence is read, and pages are asked for by
//! number on the configured base URL, so a `next` pointing at another host changes nothing. When
//! page 1 is full and reports a `count`, the remaining pages go out together through the batch
//! fetch. A walk stops where the listing ends: when it holds the reported count, at an empty page,
//! or at a page that says there is no next one; a page that repeats the one before it (a server
//! that ignores `page`) is `invalid-response`, and with a count no walk asks for more than
//! ⌈count / page size⌉ + 1 pages. `max_items` either fails the walk (the protective default) or,
//! when the caller set it, stops it with that many items and says where to continue.

use serde_json::json;

use super::Client;
use crate::api::{ApiRequest, Chunk, Endpoint, Paged};
use crate::error::{Error, ErrorKind, Result};

/// Pages in flight at once through the batch import.
pub const DEFAULT_CONCURRENCY: u32 = 8;
/// Pages handed to the batch import in one call. The host keeps [`DEFAULT_CONCURRENCY`] of them in
/// flight and starts the next as soon as one answers (a sliding window), so one slow page holds up
/// only its own slot, not a lock-step group of eight; a walk holds at most this many response
/// bodies at once (64 pages of 100 members, about 4 MB), which bounds its memory.
pub const BATCH_PAGES: usize = 64;
/// Default cap on the items one listing collects.
pub const DEFAULT_MAX_ITEMS: usize = 10_000;

/// How to walk a listing.
#[derive(Debug, Clone, Copy)]
pub struct PageSpec {
    /// First page to fetch (1-based); later pages follow it.
    pub start_page: u32,
    /// Items per page.
    pub page_size: u32,
    /// Most items collected.
    pub max_items: usize,
    /// What reaching `max_items` with more left does: `false` fails the walk (a cap that keeps a
    /// call bounded), `true` stops it with the first `max_items` items and says where to continue
    /// (a limit the user chose, as `gh --limit` is).
    pub truncate: bool,
}

/// What a walk reports besides its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walked {
    /// The count the first page reported.
    pub count: Option<u64>,
    /// Pages fetched.
    pub pages: u32,
    /// Whether the walk stopped at a `max_items` the caller set, with more items left.
    pub truncated: bool,
    /// When truncated: the page that holds the first item not returned.
    pub resume_page: Option<u32>,
}

/// Receives each page's items in order, with the count page 1 reported.
pub type PageSink<'s, T> = dyn FnMut(Vec<T>, Option<u64>) -> Result<()> + 's;

impl Client<'_> {
    /// Reads page `number` of a listing. A page past the end (Docker answers 404 "Invalid page")
    /// is `not-found` that says how many pages there are, read from page 1's count.
    pub fn first_page<L: Paged>(&self, number: u32, page_size: u32, page: &dyn Fn(u32) -> Endpoint<L>) -> Result<L> {
        let endpoint = page(number);
        match self.fetch(&endpoint) {
            Err(e) if e.kind == ErrorKind::NotFound && number > 1 => {
                let Ok(first) = self.fetch(&page(1)) else { return Err(e) };
                let Some(count) = first.into_chunk().count else { return Err(e) };
                let pages = count.div_ceil(u64::from(page_size.max(1))).max(1);
                let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
                Err(Error::not_found(format!(
                    "Page {number} of {} is past the end: the listing has {}, {} of {page_size}. Ask for a page from 1 \
to {pages}, or use all_pages.",
                    endpoint.target,
                    plural(count, "item", "items"),
                    plural(pages, "page", "pages"),
                ))
                .with_detail(json!({ "page": number, "pages": pages, "count": count, "page_size": page_size })))
            }
            other => other,
        }
    }

    /// Walks a listing from `spec.start_page` to its end, `page` making the request for a page
    /// number, and hands each page's items to `sink` as soon as the page is read. After the first
    /// page (which gives the count), the rest go to the batch import [`BATCH_PAGES`] at a time,
    /// [`DEFAULT_CONCURRENCY`] in flight, and each batch is read and dropped before the next is
    /// sent, so a long listing never holds more than one batch of response bodies.
    pub fn walk<L: Paged>(
        &self,
        spec: PageSpec,
        page: &dyn Fn(u32) -> Endpoint<L>,
        sink: &mut PageSink<'_, L::Item>,
    ) -> Result<Walked> {
        let page_size = spec.page_size.max(1);
        let chunk = self.first_page(spec.start_page, page_size, page)?.into_chunk();
        let count = chunk.count;
        // A first page shorter than asked that still names a next page: the server pages by a
        // size of its own (or ignores `page`), so later page numbers are not ours to plan.
        let full = chunk.items.len() >= page_size as usize;
        let served_size = if full { page_size } else { (chunk.items.len() as u32).max(1) };
        let before = u64::from(spec.start_page.saturating_sub(1)) * u64::from(page_size);
        let expected = count.map(|total| total.saturating_sub(before));
        let most_pages = expected.map(|left| left.div_ceil(u64::from(served_size)).saturating_add(1));
        let mut walk = Walk {
            items: 0,
            pages: 0,
            spec,
            next_page: spec.start_page,
            count,
            expected,
            last: None,
            truncated: false,
            resume_page: None,
            target: page(spec.start_page).target.clone(),
            sink,
        };
        let mut more = walk.take(chunk)?;

        if let (true, true, Some(total), Some(left)) = (more, full, count, expected) {
            if !spec.truncate && usize::try_from(total).map_or(true, |t| t > spec.max_items) {
                return Err(too_many(total, true, spec.max_items));
            }
            let left = left.saturating_sub(walk.items as u64);
            let wanted = if spec.truncate { left.min((spec.max_items - walk.items) as u64) } else { left };
            let planned = u32::try_from(wanted.div_ceil(u64::from(page_size))).unwrap_or(u32::MAX);
            let requests: Vec<ApiRequest> = (0..planned).map(|i| page(walk.next_page + i).into_request()).collect();
            'groups: for group in requests.chunks(BATCH_PAGES) {
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
            if let Some(most) = most_pages.filter(|most| u64::from(walk.pages) >= *most) {
                return Err(walk.overrun(most));
            }
            let chunk = self.fetch(&page(walk.next_page)).map_err(|e| walk.interrupted(e))?;
            more = walk.take(chunk.into_chunk())?;
        }
        Ok(Walked { count, pages: walk.pages, truncated: walk.truncated, resume_page: walk.resume_page })
    }
}

/// What tells one page from the next: its length and its first and last items. Two pages in a
/// row that share all three are the same page served twice.
type Fingerprint<T> = (usize, T, T);

/// Progress of one walk.
struct Walk<'a, 's, T> {
    items: usize,
    pages: u32,
    spec: PageSpec,
    next_page: u32,
    count: Option<u64>,
    /// Items the listing holds from the start page on, when the first page reported a count.
    expected: Option<u64>,
    last: Option<Fingerprint<T>>,
    truncated: bool,
    resume_page: Option<u32>,
    target: String,
    sink: &'a mut PageSink<'s, T>,
}

impl<T: Clone + PartialEq> Walk<'_, '_, T> {
    /// Hands a page to the sink; says whether another should be fetched.
    fn take(&mut self, mut chunk: Chunk<T>) -> Result<bool> {
        let len = chunk.items.len();
        let full = len >= self.spec.page_size as usize;
        let print = match (chunk.items.first(), chunk.items.last()) {
            (Some(first), Some(last)) => Some((len, first.clone(), last.clone())),
            _ => None,
        };
        if print.is_some() && print == self.last {
            return Err(self.repeated());
        }
        let room = self.spec.max_items - self.items;
        if len > room {
            if !self.spec.truncate {
                let (total, exact) = match self.count {
                    Some(count) => (count, true),
                    None => ((self.items + len) as u64, false),
                };
                return Err(too_many(total, exact, self.spec.max_items));
            }
            chunk.items.truncate(room);
            self.truncated = true;
            self.resume_page = Some(self.next_page);
        }
        let taken = chunk.items.len();
        // A page the sink refuses (the output is full) is not counted as fetched: resuming from
        // `resume_page` asks for it again.
        (self.sink)(chunk.items, self.count).map_err(|e| self.interrupted(e))?;
        self.items += taken;
        self.pages += 1;
        self.next_page = self.next_page.saturating_add(1);
        self.last = print;
        let more = len > 0
            && chunk.has_next.unwrap_or(full)
            && self.expected.is_none_or(|expected| (self.items as u64) < expected);
        if self.truncated {
            return Ok(false);
        }
        if more && self.spec.truncate && self.items >= self.spec.max_items {
            self.truncated = true;
            self.resume_page = Some(self.next_page);
            return Ok(false);
        }
        Ok(more)
    }

    /// The page just read is the one before it again: the server ignores `page`.
    fn repeated(&self) -> Error {
        let page = self.next_page;
        Error::invalid_response(format!(
            "Docker Hub answered page {page} of {} with the same items as page {}: the server ignores the page \
number, so the listing cannot be read past its first page ({} item(s) read). A proxy or a mock server may be answering \
instead of Docker Hub; check the hub URL.",
            self.target,
            page.saturating_sub(1),
            self.items
        ))
        .with_detail(json!({ "reason": "page_repeated", "page": page, "fetched_items": self.items }))
    }

    /// The listing named a next page past the pages its count allows.
    fn overrun(&self, most: u64) -> Error {
        Error::invalid_response(format!(
            "Docker Hub reported {} item(s) for {} but still named a next page after {} page(s) ({} item(s) read), \
more than that count allows: the listing is inconsistent, so it is not walked further.",
            self.count.unwrap_or_default(),
            self.target,
            self.pages,
            self.items
        ))
        .with_detail(
            json!({ "reason": "past_count", "pages": self.pages, "most_pages": most, "fetched_items": self.items }),
        )
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

/// The listing holds more than the cap: `total` is the count Docker reported (`exact`) or how
/// many items the walk had seen.
fn too_many(total: u64, exact: bool, cap: usize) -> Error {
    let has = if exact { format!("{total} items") } else { format!("{total} or more items") };
    Error::invalid_input(format!(
        "The listing has {has}, more than max_items ({cap}). Set max_items to get the first {cap} (the output then says \
where to continue), raise it, narrow the query, or page through it with page and page_size instead of all_pages."
    ))
    .with_detail(json!({ "max_items": cap, "reported_items": total }))
}
