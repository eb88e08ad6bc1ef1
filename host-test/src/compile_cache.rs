//! The on-disk cache of compiled components: `{dir}/{hash}.cwasm`, so a process whose engine
//! cannot use the precompiled code embedded in the binary compiles the component once, not every
//! time.
//!
//! An entry is native code that this process will run, with `DOCKERHUB_OAT` in its environment,
//! so only its owner may have written it. The rules (docs/host.md, "Compile cache"):
//!
//! - The directory is created `0700`. The directory and an entry are used only when they are not
//!   symbolic links (checked with `symlink_metadata`, never followed), are owned by the user this
//!   process runs as, and are not writable by group or others (Unix; elsewhere the operating
//!   system's own permissions apply). Otherwise nothing there is read or written: the component is
//!   compiled in memory, with one warning naming the path and the reason.
//! - An entry is written to a temporary file created exclusively (`create_new`, mode `0600`, a name
//!   no one can predict) in that directory, then renamed over the entry: a symlink planted under
//!   any name is never followed or written through.
//! - An entry carries a SHA-256 digest of the compiled code. One whose digest does not match
//!   (truncated, damaged, garbage) or that wasmtime refuses is removed and rebuilt, with a warning.
//!
//! Why the digest: wasmtime checks a compiled file's header, its version, the engine configuration
//! it was made for and its ELF structure, not the machine code. A truncated file, or one whose ELF
//! tables are damaged, is refused; bytes damaged inside the code are loaded and run, and the process
//! dies of the signal the broken code raises, before any message (measured with this host: `0xCC`
//! bytes over the start of the code, SIGTRAP; other damage in the code, SIGSEGV). The digest
//! catches every accidental damage before wasmtime sees the bytes; the ownership rules keep out
//! deliberate ones.

use std::fs::{self, File, Metadata, OpenOptions};
use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Result;
use sha2::{Digest as _, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::error::Context as _;

/// The first bytes of every entry this host writes (then the digest, then the code).
const MAGIC: &[u8; 16] = b"dhorg-cwasm-v1\n\0";
/// The digest's length in an entry.
const DIGEST_LEN: usize = 32;
/// The largest entry read (the component compiles to a few tens of MB).
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// How [`load`] got the component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// Read from a valid entry.
    FromCache,
    /// Compiled, and the entry written (there was none).
    Stored,
    /// The entry was damaged: removed, compiled, and written again. The warning says why.
    Rebuilt(String),
    /// The cache could not be trusted or written: compiled in memory only. The warning says why.
    InMemory(String),
}

impl Loaded {
    /// The warning to show the user, if any (one line naming the path and the reason).
    pub fn warning(&self) -> Option<&str> {
        match self {
            Loaded::Rebuilt(warning) | Loaded::InMemory(warning) => Some(warning),
            Loaded::FromCache | Loaded::Stored => None,
        }
    }
}

/// Loads the component compiled from `bytes` for `engine` through the cache in `dir`, by the rules
/// in the module comment. Fails only when the component itself does not compile.
pub fn load(engine: &Engine, bytes: &[u8], dir: &Path) -> Result<(Component, Loaded)> {
    let compile = || -> Result<Component> { Ok(Component::new(engine, bytes).context("compiling the component")?) };
    let in_memory = |path: &Path, reason: String| -> Result<(Component, Loaded)> {
        let warning = format!(
            "warning: not using the compile cache {}: {reason}; the component is compiled in memory for this run \
             (fix the permissions, or set DOCKERHUB_ORG_COMPILE_CACHE to a directory only you can write)",
            path.display()
        );
        Ok((compile()?, Loaded::InMemory(warning)))
    };

    if let Err(reason) = private_dir(dir) {
        return in_memory(dir, reason);
    }
    let path = dir.join(entry_name(engine, bytes));
    let rebuilt = match read_entry(&path) {
        Ok(Entry::Missing) => None,
        Ok(Entry::Code(file, start)) => match deserialize(engine, &file[start..]) {
            Ok(component) => return Ok((component, Loaded::FromCache)),
            Err(reason) => Some(reason),
        },
        Ok(Entry::Damaged(reason)) => Some(reason),
        Err(reason) => return in_memory(&path, reason),
    };
    if rebuilt.is_some()
        && let Err(error) = fs::remove_file(&path)
    {
        return in_memory(&path, format!("it is damaged and cannot be removed: {error}"));
    }
    let component = compile()?;
    let stored = store(dir, &path, &component);
    let loaded = match (rebuilt, stored) {
        (None, Ok(())) => Loaded::Stored,
        (Some(reason), Ok(())) => Loaded::Rebuilt(format!(
            "warning: the compile cache entry {} was {reason}; removed and rebuilt",
            path.display()
        )),
        (_, Err(error)) => Loaded::InMemory(format!(
            "warning: could not write the compile cache entry {}: {error}; the component is compiled in memory for \
             this run",
            path.display()
        )),
    };
    Ok((component, loaded))
}

/// The entry's file name: a hash of the component and of the engine's compatibility (so another
/// wasmtime or configuration gets another entry).
fn entry_name(engine: &Engine, bytes: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{:016x}.cwasm", hasher.finish())
}

/// Makes `dir` (0700 when created) and checks it may be trusted: a directory, not a symlink, the
/// user's own and writable by no one else. `Err` is the reason it may not.
fn private_dir(dir: &Path) -> std::result::Result<(), String> {
    if let Err(error) = create_private_dir(dir) {
        return Err(format!("it cannot be created: {error}"));
    }
    let meta = fs::symlink_metadata(dir).map_err(|e| format!("it cannot be read: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err("it is a symbolic link (a cache directory must be a real directory)".to_string());
    }
    if !meta.is_dir() {
        return Err("it is not a directory".to_string());
    }
    untrusted_owner(&meta).map_or(Ok(()), Err)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    // A symlink (even to a directory) counts as existing here and is refused by the caller.
    if fs::symlink_metadata(dir).is_ok() {
        return Ok(());
    }
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    if fs::symlink_metadata(dir).is_ok() {
        return Ok(());
    }
    fs::create_dir_all(dir)
}

/// Why a file or directory with `meta` may not be trusted (Unix: another owner, or writable by
/// group or others); `None` when it may.
#[cfg(unix)]
fn untrusted_owner(meta: &Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let user = rustix::process::geteuid().as_raw();
    if meta.uid() != user {
        return Some(format!("it is owned by uid {}, not by this user (uid {user})", meta.uid()));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        let who = if mode & 0o020 != 0 && mode & 0o002 != 0 {
            "group and others"
        } else if mode & 0o020 != 0 {
            "group"
        } else {
            "others"
        };
        return Some(format!("it is writable by {who} (mode {mode:o})"));
    }
    None
}

#[cfg(not(unix))]
fn untrusted_owner(_meta: &Metadata) -> Option<String> {
    None
}

/// What was found under an entry's path.
enum Entry {
    /// No entry yet.
    Missing,
    /// A trusted entry whose digest matched: the file as read, and where the compiled code starts
    /// in it (after the header and the digest; not copied out: the entry is megabytes).
    Code(Vec<u8>, usize),
    /// A trusted entry that is damaged (the reason, as "…" in "the entry was …").
    Damaged(String),
}

/// Reads the entry at `path`. `Err` is why it may not be used at all (a symlink, not a regular
/// file, another owner, writable by others): such a file is left alone.
fn read_entry(path: &Path) -> std::result::Result<Entry, String> {
    let before = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Entry::Missing),
        Err(error) => return Err(format!("it cannot be read: {error}")),
    };
    if before.file_type().is_symlink() {
        return Err("it is a symbolic link (not followed)".to_string());
    }
    if !before.is_file() {
        return Err("it is not a regular file".to_string());
    }
    if let Some(reason) = untrusted_owner(&before) {
        return Err(reason);
    }
    let mut file = File::open(path).map_err(|e| format!("it cannot be opened: {e}"))?;
    // The file opened is the one checked (the directory is the user's alone, so only this user
    // could swap it in between; this keeps even that out).
    let opened = file.metadata().map_err(|e| format!("it cannot be read: {e}"))?;
    if !same_file(&before, &opened) {
        return Err("it changed while it was being opened".to_string());
    }
    // Sized from the file, so reading it does not grow (and copy) the buffer step by step.
    let expected = usize::try_from(opened.len().min(MAX_ENTRY_BYTES)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    (&mut file).take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("it cannot be read: {e}"))?;
    if bytes.len() as u64 > MAX_ENTRY_BYTES {
        return Ok(Entry::Damaged(format!("larger than {MAX_ENTRY_BYTES} bytes")));
    }
    let Some(rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Ok(Entry::Damaged("not written by this host (unknown header)".to_string()));
    };
    if rest.len() < DIGEST_LEN {
        return Ok(Entry::Damaged("truncated".to_string()));
    }
    let (digest, code) = rest.split_at(DIGEST_LEN);
    if Sha256::digest(code).as_slice() != digest {
        return Ok(Entry::Damaged("damaged (its digest does not match its contents)".to_string()));
    }
    let start = bytes.len() - code.len();
    Ok(Entry::Code(bytes, start))
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.len() == b.len()
}

/// Loads compiled code whose digest matched.
fn deserialize(engine: &Engine, code: &[u8]) -> std::result::Result<Component, String> {
    // SAFETY: `Component::deserialize` runs `code` as native code, unchecked beyond its header,
    // wasmtime version and engine configuration. These bytes are acceptable because (1) they come
    // from a file in a directory that only this user can write, that is no symlink, and that this
    // user owns and no one else can write (`private_dir`, `read_entry`): whoever could plant code
    // there can already run code as this user; and (2) their SHA-256 matched the digest written
    // beside them by `store` from `Component::serialize` output, so a truncated or damaged file is
    // never loaded.
    unsafe { Component::deserialize(engine, code) }.map_err(|e| format!("refused by wasmtime ({e})"))
}

/// Writes `component` to `path` through an exclusively created temporary file in `dir`.
fn store(dir: &Path, path: &Path, component: &Component) -> io::Result<()> {
    let code = component.serialize().map_err(|e| io::Error::other(format!("{e:#}")))?;
    let tmp = dir.join(format!(".{}.{}.tmp", std::process::id(), unpredictable()));
    let written = (|| {
        let mut file = create_exclusive(&tmp)?;
        file.write_all(MAGIC)?;
        file.write_all(&Sha256::digest(&code))?;
        file.write_all(&code)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Creates `path` for writing; fails if anything (a file, a symlink) is already there.
fn create_exclusive(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// 64 bits no other process can guess: std's `RandomState` keys come from the operating system's
/// random source.
fn unpredictable() -> String {
    let state = std::collections::hash_map::RandomState::new();
    format!("{:016x}", state.hash_one(std::time::SystemTime::now()))
}

/// The default cache directory: `$DOCKERHUB_ORG_COMPILE_CACHE` (empty: no cache), else
/// `$XDG_CACHE_HOME/dockerhub-org`, else `$HOME/.cache/dockerhub-org`, else none.
pub fn default_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKERHUB_ORG_COMPILE_CACHE") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("dockerhub-org"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh scratch directory (under the system's temporary directory, removed first).
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dockerhub-org-compile-cache-unit-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    /// An entry as [`store`] writes it, around `code`.
    fn entry_bytes(code: &[u8]) -> Vec<u8> {
        [MAGIC.as_slice(), Sha256::digest(code).as_slice(), code].concat()
    }

    #[test]
    fn an_entry_is_read_only_when_its_digest_matches() {
        let dir = scratch("digest");
        private_dir(&dir).unwrap();
        let path = dir.join("x.cwasm");
        assert!(matches!(read_entry(&path), Ok(Entry::Missing)));
        let good = entry_bytes(b"compiled code");
        fs::write(&path, &good).unwrap();
        assert!(matches!(read_entry(&path), Ok(Entry::Code(file, start)) if &file[start..] == b"compiled code"));

        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let damaged: [(&[u8], &str); 4] = [
            (&flipped, "digest does not match"),
            (&good[..good.len() - 1], "digest does not match"),
            (&good[..MAGIC.len() + 3], "truncated"),
            (b"\x7fELF garbage", "unknown header"),
        ];
        for (bytes, reason) in damaged {
            fs::write(&path, bytes).unwrap();
            match read_entry(&path) {
                Ok(Entry::Damaged(why)) => assert!(why.contains(reason), "{why}"),
                _ => panic!("{reason}: not reported as damaged"),
            }
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_new_directory_is_private_and_a_symlink_or_writable_one_is_refused() {
        use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
        let dir = scratch("dir");
        private_dir(&dir.join("nested")).unwrap();
        assert_eq!(fs::metadata(dir.join("nested")).unwrap().mode() & 0o777, 0o700);

        let link = dir.join("link");
        std::os::unix::fs::symlink(dir.join("nested"), &link).unwrap();
        assert!(private_dir(&link).unwrap_err().contains("symbolic link"));

        fs::set_permissions(dir.join("nested"), fs::Permissions::from_mode(0o775)).unwrap();
        assert_eq!(private_dir(&dir.join("nested")).unwrap_err(), "it is writable by group (mode 775)");
        fs::write(dir.join("file"), b"").unwrap();
        assert_eq!(private_dir(&dir.join("file")).unwrap_err(), "it is not a directory");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_entry_that_is_a_symlink_or_writable_by_others_is_left_alone() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = scratch("entry");
        private_dir(&dir).unwrap();
        let target = dir.join("target");
        fs::write(&target, entry_bytes(b"code")).unwrap();
        let link = dir.join("link.cwasm");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(read_entry(&link), Err(why) if why.contains("symbolic link")));
        fs::set_permissions(&target, fs::Permissions::from_mode(0o646)).unwrap();
        assert!(matches!(read_entry(&target), Err(why) if why == "it is writable by others (mode 646)"));
        assert!(matches!(read_entry(&dir), Err(why) if why == "it is not a regular file"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_temporary_file_is_never_written_through_a_planted_symlink() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = scratch("tmp");
        private_dir(&dir).unwrap();
        let victim = dir.join("victim");
        fs::write(&victim, b"precious").unwrap();
        let planted = dir.join("planted.tmp");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        assert_eq!(create_exclusive(&planted).unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        let fresh = dir.join("fresh.tmp");
        create_exclusive(&fresh).unwrap();
        assert_eq!(fs::metadata(&fresh).unwrap().mode() & 0o777, 0o600);
        assert_ne!(unpredictable(), unpredictable(), "a new name every time");
        fs::remove_dir_all(&dir).unwrap();
    }
}
