//! The `dockerhub-org` binary as the CLI tests run it: a clean environment, standard input closed,
//! and what the run printed and how it exited.

use std::process::{Command, Stdio};

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// The binary with a clean environment: no connection values or terminal width from the
/// developer's shell.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dockerhub-org"));
    command.args(args);
    for key in ["DOCKERHUB_ORG", "DOCKERHUB_OAT", "DOCKERHUB_OAT_FILE", "DOCKERHUB_HUB_URL", "COLUMNS"] {
        command.env_remove(key);
    }
    command
}

/// Runs `command` with standard input closed; a panic or a backtrace on standard error fails.
pub fn finish(command: &mut Command) -> Run {
    let output = command.stdin(Stdio::null()).output().expect("the CLI runs");
    let run = Run {
        code: output.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    };
    for leak in ["panicked", "RUST_BACKTRACE"] {
        assert!(!run.stderr.contains(leak), "{leak}: {run:#?}");
    }
    run
}
