//! `xmppd`, the XMPP server: the command line, the configuration file, account
//! administration and the wiring of `xmpp-server-host` on tokio with the SQLite store.
//!
//! | module | job |
//! |---|---|
//! | [`cli`] | the command line (flags, `--config`, subcommands) |
//! | [`config`] | the TOML configuration, checked with line and key in every error |
//! | [`plan`] | configuration or flags → the host's settings, files, store |
//! | [`run`] | the server on tokio: READY line, signals, certificate reload |
//! | [`users`] | `xmppd user add|passwd|del|list` on the database |
//! | [`logging`] | tracing to standard error |

#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod logging;
pub mod plan;
pub mod run;
pub mod users;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, ConfigCommand, RunArgs};
use crate::config::Config;
use crate::plan::Plan;

/// Runs `xmppd` with these arguments (the program name first); the process's exit
/// code: 0 on success, 1 when the server or a command failed, 2 for bad usage or
/// an invalid configuration.
pub fn main_with(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        None => run_server(&cli.run),
        Some(Command::Run(args)) => run_server(&args),
        Some(Command::Config {
            command: ConfigCommand::Example,
        }) => {
            print!("{}", config::EXAMPLE);
            ExitCode::SUCCESS
        }
        Some(Command::CheckConfig { file }) => check_config(&file),
        Some(Command::User { command }) => match users::run(command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
    }
}

fn fail(reason: &str) -> ExitCode {
    eprintln!("xmppd: {reason}");
    ExitCode::FAILURE
}

/// Loads and checks a configuration file, printing every error and warning with
/// the file name; `None` when it has errors.
fn load_config(file: &std::path::Path) -> Option<Config> {
    match Config::load(file) {
        Ok((config, warnings)) => {
            for warning in warnings {
                eprintln!("{}: warning: {warning}", file.display());
            }
            Some(config)
        }
        Err(errors) => {
            for error in errors {
                eprintln!("{}: error: {error}", file.display());
            }
            None
        }
    }
}

fn check_config(file: &std::path::Path) -> ExitCode {
    match load_config(file) {
        Some(_) => {
            println!("{}: OK", file.display());
            ExitCode::SUCCESS
        }
        None => ExitCode::from(2),
    }
}

fn run_server(args: &RunArgs) -> ExitCode {
    let plan = match &args.config {
        Some(file) => {
            let Some(config) = load_config(file) else {
                eprintln!("xmppd: not starting: {} has errors", file.display());
                return ExitCode::from(2);
            };
            Plan::from_config(config, &args.add_user)
        }
        None => Plan::from_flags(args),
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("xmppd: {e}");
            return ExitCode::from(2);
        }
    };
    logging::init(plan.log_level.as_deref());
    match run::run(plan) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}
