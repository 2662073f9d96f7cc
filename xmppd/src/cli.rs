//! The command line: the server's flags (as the `server` example had them), `--config
//! FILE`, and the subcommands `run`, `config example`, `check-config` and `user …`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// An XMPP server (RFC 6120/6121): STARTTLS and direct TLS, SCRAM, rosters,
/// presence, offline messages, blocking and privacy lists, SQLite storage.
#[derive(Debug, Parser)]
#[command(name = "xmppd", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; without a subcommand, run the server from the flags below.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server, configured by flags or by `--config FILE`.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the server (the same as giving no subcommand).
    Run(RunArgs),
    /// Configuration files.
    Config {
        /// What to do with configurations.
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Checks a configuration file: prints every error with its line and key, and
    /// warnings (files that do not exist yet); exits non-zero on errors.
    CheckConfig {
        /// The file to check.
        file: PathBuf,
    },
    /// Administers accounts in the database of a stopped or running server.
    User {
        /// What to do.
        #[command(subcommand)]
        command: UserCommand,
    },
}

/// `xmppd config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Prints a commented example configuration (that `check-config` accepts).
    Example,
}

/// `xmppd user …`: the password is read from standard input (one line; asked twice
/// without echo on a terminal), never from the command line.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Creates an account.
    Add(UserArgs),
    /// Sets an account's password.
    Passwd(UserArgs),
    /// Deletes an account and everything stored for it.
    Del(UserArgs),
    /// Lists the accounts.
    List(StoreArgs),
}

/// An account and where it is stored.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// The account's JID, `user@domain`.
    pub jid: String,
    /// Where the accounts are.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// The database to administer: `--db FILE`, or the one a configuration names.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct StoreArgs {
    /// The SQLite database (created if it does not exist).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// The configuration whose `[storage] sqlite` to use.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// How to run the server: a configuration file, or flags.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// The configuration file (TOML; `xmppd config example` prints one). The other
    /// flags are then not allowed, except `--add-user`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["domain", "listen", "cert", "key", "db", "scram_iterations", "flood", "channel_binding"])]
    pub config: Option<PathBuf>,
    /// The domain served.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Where clients connect (STARTTLS), e.g. 127.0.0.1:5222.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// The certificate chain (PEM).
    #[arg(long, value_name = "PEM")]
    pub cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,
    /// The SQLite database; without it, state lives in memory.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Creates the account, or sets its password, at start (tests and demos:
    /// the password is visible to other users of the machine; prefer `xmppd user add`).
    #[arg(long = "add-user", value_name = "USER:PASSWORD")]
    pub add_user: Vec<String>,
    /// PBKDF2 iterations of new SCRAM keys (default 4096).
    #[arg(long, value_name = "N")]
    pub scram_iterations: Option<u32>,
    /// Per-session stanza rate limit, RATE:BURST or `off` (default 1000:2000).
    #[arg(long, value_name = "RATE:BURST|off")]
    pub flood: Option<String>,
    /// `off` offers no SCRAM -PLUS mechanism (default on).
    #[arg(long, value_name = "on|off")]
    pub channel_binding: Option<String>,
}
