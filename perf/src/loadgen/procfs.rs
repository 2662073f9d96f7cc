//! CPU time and memory of a process, read from Linux's `/proc` (no unsafe code and
//! no extra dependency): how hard the generator and the server worked.

use std::time::Instant;

/// Clock ticks per second of `/proc/PID/stat` times.
fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// User plus system CPU seconds of process `pid` (`self` for this one).
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / ticks_per_second())
}

/// A `/proc/PID/status` value in kB (`VmRSS`, `VmHWM`).
pub fn status_kb(pid: &str, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How many file descriptors process `pid` has open (sockets included).
pub fn open_files(pid: &str) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// CPU use of a process over an interval.
pub struct CpuMeter {
    pid: String,
    cpu: Option<f64>,
    at: Instant,
}

impl CpuMeter {
    pub fn start(pid: &str) -> CpuMeter {
        CpuMeter {
            pid: pid.to_owned(),
            cpu: cpu_seconds(pid),
            at: Instant::now(),
        }
    }

    /// CPU seconds used since `start`, and as a percentage of one core.
    pub fn read(&self) -> Option<(f64, f64)> {
        let used = cpu_seconds(&self.pid)? - self.cpu?;
        let wall = self.at.elapsed().as_secs_f64();
        Some((used, 100.0 * used / wall.max(1e-9)))
    }
}
