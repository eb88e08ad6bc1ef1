//! Python for the tests that drive the component from Python (the official MCP client, a host on
//! PyPI's `wasmtime`): whether `python3` is here, and a venv under the target directory with a
//! pinned `requirements.txt` installed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `python3` runs here (the Python tests skip, saying so, when it does not).
pub fn available() -> bool {
    Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// The python of the venv `name` (under the target directory) with `requirements` installed:
/// created, or refreshed when the requirements file changed. Tests of one binary run in parallel;
/// one creates the venv while the others wait for it.
pub fn venv_python(name: &str, requirements: &Path) -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _installing = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = venv.join("bin/python");
    let wanted = std::fs::read_to_string(requirements).unwrap_or_else(|e| panic!("{}: {e}", requirements.display()));
    let stamp = venv.join("installed-requirements.txt");
    if python.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return python;
    }
    let status = Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv).status().unwrap();
    assert!(status.success(), "python3 -m venv failed (Debian needs python3-venv)");
    let status = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(requirements)
        .status()
        .unwrap();
    assert!(status.success(), "pip could not install {}", requirements.display());
    std::fs::write(&stamp, wanted).unwrap();
    python
}
