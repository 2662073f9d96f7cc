//! Processes from tests: the `xmppd` server binary (`env!("CARGO_BIN_EXE_xmppd")` in
//! xmppd's own tests), started on an ephemeral port and stopped by PID when dropped;
//! test certificates (rcgen, or the interop harness's `certs.sh`); harness tools run
//! to completion with a time bound.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The path of an example binary of the crate under test, built by `cargo test`
/// alongside the test binaries (`target/<profile>/examples/NAME`).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test binary>
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (a plain `cargo test` of its crate builds it)",
        path.display()
    );
    path
}

/// The interop harness directory.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/interop")
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmpp-server-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A test CA and a server certificate for `domain` it signs, made with rcgen, in
/// `dir/certs`: `ca.pem`, `server.pem`, `server.key` (the names `certs.sh` uses).
pub fn certs(dir: &Path, domain: &str) -> PathBuf {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let certs = dir.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec![domain.to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    std::fs::write(certs.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(certs.join("server.pem"), cert.pem()).unwrap();
    std::fs::write(certs.join("server.key"), key.serialize_pem()).unwrap();
    certs
}

/// A running server binary, killed (by PID) when dropped.
pub struct ServerProcess {
    pub child: Child,
    pub port: u16,
    pub ready_line: String,
    lines: mpsc::Receiver<String>,
}

impl ServerProcess {
    /// Starts the server binary `exe` for `domain` with `args` added (for example
    /// `--db FILE` and `--add-user`), listening on an ephemeral loopback port; waits
    /// for its READY line (at most 60 s).
    pub fn start(exe: &Path, certs: &Path, domain: &str, args: &[&str]) -> ServerProcess {
        let mut command = Command::new(exe);
        command
            .args(["--domain", domain, "--listen", "127.0.0.1:0"])
            .arg("--cert")
            .arg(certs.join("server.pem"))
            .arg("--key")
            .arg(certs.join("server.key"))
            .args(args);
        ServerProcess::spawn(command)
    }

    /// Starts `command` (a server that prints `READY xmpp-server … addr=…` on
    /// standard output) and waits for its READY line (at most 60 s).
    pub fn spawn(mut command: Command) -> ServerProcess {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let lines = read_lines(child.stdout.take().unwrap());
        let ready_line = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!("the server did not print its READY line")
            });
        assert!(ready_line.starts_with("READY xmpp-server"), "{ready_line}");
        let addr = ready_line
            .split(' ')
            .find_map(|f| f.strip_prefix("addr="))
            .unwrap();
        let port = addr.rsplit(':').next().unwrap().parse().unwrap();
        ServerProcess {
            child,
            port,
            ready_line,
            lines,
        }
    }

    /// Kills the server with SIGKILL (a crash: nothing is flushed or closed).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the server with SIGTERM and returns its STOPPED line.
    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_default();
        let _ = self.child.wait();
        line
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of a child's stdout, read on a thread.
fn read_lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Test CA and server certificate for `domain` made by the interop harness's
/// `certs.sh` (needs openssl), in `dir/certs`.
pub fn harness_certs(dir: &Path, domain: &str) -> PathBuf {
    let certs = dir.join("certs");
    let out = Command::new(interop_dir().join("certs.sh"))
        .arg(&certs)
        .arg(domain)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "certs.sh: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    certs
}

/// Runs an interop harness tool (`slixmpp_check.py`, …) to completion, at most
/// `timeout`; returns (success, stdout).
pub fn run_tool(program: &Path, args: &[&str], timeout: Duration) -> (bool, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let lines = read_lines(child.stdout.take().unwrap());
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Every line, until the reader sees the end of the pipe (bounded).
    let mut out = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(2)) {
        out.push(line);
    }
    (status.is_some_and(|s| s.success()), out.join("\n"))
}
