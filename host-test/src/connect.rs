//! Connecting a front end (the CLI's `run` and `health`, the MCP server) to Docker Hub or to the
//! embedded simulator: the runtime with the right HTTP allow-list, the connection values the
//! component reads through `secret-get`, and hints for the values the user did not give.
//!
//! Live connections read the Organization Access Token from `DOCKERHUB_OAT`, or from the file
//! `DOCKERHUB_OAT_FILE` names (never from a flag, so it stays out of shell history and process
//! listings). A `--hub-url` carrying
//! credentials (`https://user:password@host`) is refused, and no message ever shows them: URLs are
//! printed through [`without_userinfo`].

use anyhow::Result;
use dockerhub_org::connection::{KEY_CALL_TIMEOUT, MAX_CALL_TIMEOUT_SECONDS};

use crate::http::HttpConfig;
use crate::secrets::Secrets;
use crate::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use crate::{Runtime, RuntimeConfig};

/// The environment variable holding the Organization Access Token for live connections.
pub const OAT_ENV: &str = "DOCKERHUB_OAT";

/// Where the organization's name can come from.
pub const ORG_HINT: &str = "give the organization with --org NAME or the DOCKERHUB_ORG environment variable \
                            (or try --simulate)";
/// The environment variable naming a file that holds the token (a secret manager's or a Kubernetes
/// secret's mounted file), read when [`OAT_ENV`] is not set.
pub const OAT_FILE_ENV: &str = "DOCKERHUB_OAT_FILE";

/// The most a token file may hold (a token is about 60 characters; this stops `/dev/zero`).
const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// Where the token can come from.
pub const OAT_HINT: &str = "set the DOCKERHUB_OAT environment variable to an Organization Access Token \
                            (dckr_oat_...), or DOCKERHUB_OAT_FILE to a file holding it; it is read only from the \
                            environment, never from a flag";

/// Where the actions go: the embedded simulator, or an organization on Docker Hub (or on another
/// base URL). The command-line options of `run`, `health` and `mcp`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Target {
    /// Organization name (slug). Default with --simulate: example-org.
    #[arg(long, env = "DOCKERHUB_ORG")]
    pub org: Option<String>,
    /// Another Docker Hub base URL (a simulator or test server); default: Docker Hub itself (hub.docker.com over HTTPS).
    /// Plain http:// is accepted only for loopback addresses.
    #[arg(long, env = "DOCKERHUB_HUB_URL", conflicts_with = "simulate")]
    pub hub_url: Option<String>,
    /// Run against an embedded Docker Hub simulator (seeded organization, its own token).
    #[arg(long)]
    pub simulate: bool,
    /// The most one action call may take, in seconds, requests, retries and waits included (the
    /// `call-timeout-seconds` connection value). Past it the call ends as `limit-exceeded` with how
    /// far it got. Default 120.
    #[arg(long, value_name = "SECONDS", env = "DOCKERHUB_TIMEOUT", value_parser = clap::value_parser!(u64).range(1..=MAX_CALL_TIMEOUT_SECONDS))]
    pub timeout: Option<u64>,
}

/// `--hub-url` is not a URL the host can allow (a usage error, not a host failure).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadHubUrl(pub String);

/// `DOCKERHUB_OAT_FILE` names a file that cannot be read, or holds no token. The message names the
/// file and why, never what it holds.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadTokenFile(pub String);

/// The token in the file `path` ([`OAT_FILE_ENV`]): its text without the trailing line break an
/// editor or `echo` adds (and surrounding blanks). A file that cannot be read, is larger than any
/// token, is not UTF-8 or is blank is a [`BadTokenFile`] error; its contents are never shown.
pub fn read_token_file(path: &std::path::Path) -> Result<String, BadTokenFile> {
    use std::io::Read as _;
    let shown = path.display();
    let fail = |why: String| BadTokenFile(format!("{OAT_FILE_ENV} {shown}: {why}"));
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| fail(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_TOKEN_FILE_BYTES {
        return Err(fail(format!("holds more than {MAX_TOKEN_FILE_BYTES} bytes; it must hold only the token")));
    }
    let text = String::from_utf8(bytes).map_err(|_| fail("is not UTF-8 text; it must hold only the token".into()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(fail("is empty; it must hold the Organization Access Token (dckr_oat_...)".into()));
    }
    Ok(token.to_string())
}

/// A runtime, the connection values to call it with, and the simulator it talks to (kept alive for
/// as long as the connection is used).
pub struct Connection {
    /// The loaded component with the HTTP allow-list for this connection.
    pub runtime: Runtime,
    /// `organization-name`, `organization-access-token` and `hub-url` as the guest reads them.
    pub secrets: Secrets,
    /// Hints for the connection values the user did not give ([`ORG_HINT`], [`OAT_HINT`]), shown
    /// with a `missing-credential` error.
    pub missing: Vec<&'static str>,
    /// The embedded simulator, when connected to one.
    pub simulator: Option<Simulator>,
}

/// Connects as `target` says. Missing values are left missing (and hinted in
/// [`Connection::missing`]): the component reports them as `missing-credential` errors when an
/// action needs them. A `hub_url` that is not a URL is a [`BadHubUrl`] error.
pub fn connect(target: &Target) -> Result<Connection> {
    let mut secrets = Secrets::new();
    let mut http = HttpConfig::default();
    let mut missing = Vec::new();
    let simulator = if target.simulate {
        let org = target.org.clone().unwrap_or_else(|| DEFAULT_ORG.to_string());
        let sim = Simulator::start(SimulatorConfig { org: org.clone(), ..SimulatorConfig::default() })?;
        http = http.allow(sim.url())?;
        secrets = Secrets::connection(&org, DEFAULT_OAT, Some(sim.url()));
        Some(sim)
    } else {
        match target.org.as_deref().map(str::trim) {
            Some(org) if !org.is_empty() => secrets.set("organization-name", org),
            _ => missing.push(ORG_HINT),
        }
        match (std::env::var(OAT_ENV), std::env::var_os(OAT_FILE_ENV)) {
            (Ok(oat), _) if !oat.trim().is_empty() => secrets.set("organization-access-token", oat),
            (_, Some(path)) if !path.is_empty() => {
                secrets.set("organization-access-token", read_token_file(std::path::Path::new(&path))?)
            }
            _ => missing.push(OAT_HINT),
        }
        if let Some(url) = target.hub_url.as_deref() {
            check_no_userinfo(url)?;
            http = http.allow(url).map_err(|e| BadHubUrl(format!("--hub-url {}: {e:#}", without_userinfo(url))))?;
            secrets.set("hub-url", url);
        }
        None
    };
    if let Some(seconds) = target.timeout {
        secrets.set(KEY_CALL_TIMEOUT, seconds.to_string());
    }
    let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() })?;
    Ok(Connection { runtime, secrets, missing, simulator })
}

/// Refuses a hub URL with credentials in it (`user:password@`): Docker Hub takes the token from
/// `DOCKERHUB_OAT`, and credentials in a URL end up in shell history and error messages. The
/// message shows the URL without them.
fn check_no_userinfo(url: &str) -> Result<(), BadHubUrl> {
    if without_userinfo(url) == url {
        return Ok(());
    }
    Err(BadHubUrl(format!(
        "--hub-url {}: credentials in the URL (user:password@) are not accepted, and are not shown; give the base \
         URL alone (the token comes from {OAT_ENV})",
        without_userinfo(url)
    )))
}

/// `url` with any userinfo (`user:password@`, or anything else before an `@` after the scheme)
/// removed, for messages. Works on text that is not a valid URL too: everything after `://` up to
/// the last `@` goes, so a password holding `/`, `?`, `#` or `@` is removed whole.
pub fn without_userinfo(url: &str) -> std::borrow::Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].rfind('@') {
        Some(at) => format!("{}{}", &url[..start], &url[start + at + 1..]).into(),
        None => url.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_removed_from_urls_valid_or_not() {
        assert_eq!(without_userinfo("https://hub.docker.com"), "https://hub.docker.com");
        assert_eq!(without_userinfo("https://ada:s3cret@hub.example:8443/"), "https://hub.example:8443/");
        assert_eq!(without_userinfo("https://ada:s3/cr?e#t@x@127.0.0.1:9"), "https://127.0.0.1:9");
        assert_eq!(without_userinfo("ada:s3cret@hub.example"), "hub.example");
        assert_eq!(without_userinfo("https://token@"), "https://");
    }

    #[test]
    fn a_token_file_loses_its_line_break_and_its_contents_never_reach_an_error() {
        let dir = std::env::temp_dir().join(format!("dockerhub-org-oat-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("oat");
        std::fs::write(&file, "dckr_oat_s3cret\n").unwrap();
        assert_eq!(read_token_file(&file).unwrap(), "dckr_oat_s3cret");
        std::fs::write(&file, " \r\n").unwrap();
        assert!(read_token_file(&file).unwrap_err().0.contains("is empty"));
        std::fs::write(&file, [0xff, 0xfe, b's', b'3']).unwrap();
        let error = read_token_file(&file).unwrap_err().0;
        assert!(error.contains("not UTF-8") && !error.contains("s3"), "{error}");
        let error = read_token_file(&dir.join("absent")).unwrap_err().0;
        assert!(error.starts_with("DOCKERHUB_OAT_FILE ") && error.contains("cannot read it"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_hub_url_with_credentials_is_refused_without_showing_them() {
        for url in ["https://ada:s3cret@hub.example", "http://s3cret@127.0.0.1:9", "https://:s3cret@"] {
            let target = Target { org: Some("acme".into()), hub_url: Some(url.into()), ..Target::default() };
            let error = connect(&target).err().expect("refused").downcast::<BadHubUrl>().expect("a usage error");
            assert!(!error.0.contains("s3cret") && error.0.contains("credentials in the URL"), "{}", error.0);
        }
    }
}
