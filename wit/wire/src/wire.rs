//! The `http-fetch` cases between two Rust spellings of them.
//!
//! The guest's own types (`dockerhub_org::host`) and each generated binding (wit-bindgen in the
//! guest, wasmtime's bindgen in the host) spell the WIT's `method` and `fetch-error` with the same
//! case names; these macros are the one place that pairs them. Either side may be the source, and
//! a case missing on either side is a compile error where the macro is used.

/// Converts an `http-fetch` `method` value between two enums with the WIT's case names:
/// `method!(value, From => To)`.
#[macro_export]
macro_rules! method {
    ($value:expr, $from:ty => $to:ty) => {{
        type Source = $from;
        type Target = $to;
        match $value {
            Source::Get => Target::Get,
            Source::Post => Target::Post,
            Source::Put => Target::Put,
            Source::Patch => Target::Patch,
            Source::Delete => Target::Delete,
        }
    }};
}

/// Converts an `http-fetch` `fetch-error` value between two enums with the WIT's case names:
/// `fetch_error!(value, From => To)`.
#[macro_export]
macro_rules! fetch_error {
    ($value:expr, $from:ty => $to:ty) => {{
        type Source = $from;
        type Target = $to;
        match $value {
            Source::HostNotAllowed(m) => Target::HostNotAllowed(m),
            Source::InvalidUrl(m) => Target::InvalidUrl(m),
            Source::Connect(m) => Target::Connect(m),
            Source::Timeout(m) => Target::Timeout(m),
            Source::BodyTooLarge(n) => Target::BodyTooLarge(n),
            Source::Protocol(m) => Target::Protocol(m),
            Source::DeadlineExceeded(m) => Target::DeadlineExceeded(m),
        }
    }};
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq)]
    enum A {
        Get,
        Post,
        Put,
        Patch,
        Delete,
    }
    #[derive(Debug, PartialEq)]
    enum B {
        Get,
        Post,
        Put,
        Patch,
        Delete,
    }
    #[derive(Debug, PartialEq)]
    enum E1 {
        HostNotAllowed(&'static str),
        InvalidUrl(&'static str),
        Connect(&'static str),
        Timeout(&'static str),
        BodyTooLarge(u64),
        Protocol(&'static str),
        DeadlineExceeded(&'static str),
    }
    #[derive(Debug, PartialEq)]
    enum E2 {
        HostNotAllowed(&'static str),
        InvalidUrl(&'static str),
        Connect(&'static str),
        Timeout(&'static str),
        BodyTooLarge(u64),
        Protocol(&'static str),
        DeadlineExceeded(&'static str),
    }

    #[test]
    fn each_case_becomes_the_case_of_the_same_name() {
        let pairs =
            [(A::Get, B::Get), (A::Post, B::Post), (A::Put, B::Put), (A::Patch, B::Patch), (A::Delete, B::Delete)];
        for (a, b) in pairs {
            assert_eq!(method!(a, A => B), b);
        }
        assert_eq!(fetch_error!(E1::BodyTooLarge(7), E1 => E2), E2::BodyTooLarge(7));
        assert_eq!(fetch_error!(E2::DeadlineExceeded("late"), E2 => E1), E1::DeadlineExceeded("late"));
        assert_eq!(fetch_error!(E1::HostNotAllowed("x"), E1 => E2), E2::HostNotAllowed("x"));
        assert_eq!(fetch_error!(E1::Timeout("t"), E1 => E2), E2::Timeout("t"));
    }
}
