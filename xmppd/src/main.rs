//! The `xmppd` binary: see the [`xmppd`] library for the command line.

fn main() -> std::process::ExitCode {
    xmppd::main_with(std::env::args_os())
}
