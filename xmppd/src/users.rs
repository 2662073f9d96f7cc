//! `xmppd user add|passwd|del|list`: account administration on the SQLite database
//! of a stopped or running server. Only SCRAM keys are stored; a running server
//! picks the change up within a second (`admin_log`), without a restart.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use xmpp_adapter::OsEntropy;
use xmpp_jid::BareJid;
use xmpp_sasl::Password;
use xmpp_store_sqlite::Store;

use crate::cli::{StoreArgs, UserCommand};
use crate::config::Config;

/// The longest password line read from standard input.
const MAX_PASSWORD: usize = 1024;

/// Runs one `user` subcommand; `Err` is the message to print.
pub fn run(command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::List(store) => {
            let target = Target::open(&store)?;
            for user in target.store.accounts().map_err(|e| e.to_string())? {
                println!("{user}");
            }
            Ok(())
        }
        UserCommand::Add(args) => {
            let mut target = Target::open(&args.store)?;
            let user = target.account(&args.jid)?;
            if target.exists(&user)? {
                return Err(format!("{user} exists already (use `xmppd user passwd`)"));
            }
            let keys = target.keys(&read_password()?)?;
            target
                .store
                .admin_set_account(&user, keys)
                .map_err(|e| e.to_string())?;
            eprintln!("created {user}");
            Ok(())
        }
        UserCommand::Passwd(args) => {
            let mut target = Target::open(&args.store)?;
            let user = target.account(&args.jid)?;
            if !target.exists(&user)? {
                return Err(format!("no account {user} (use `xmppd user add`)"));
            }
            let keys = target.keys(&read_password()?)?;
            target
                .store
                .admin_set_account(&user, keys)
                .map_err(|e| e.to_string())?;
            eprintln!("password of {user} set");
            Ok(())
        }
        UserCommand::Del(args) => {
            let mut target = Target::open(&args.store)?;
            let user = target.account(&args.jid)?;
            if !target.exists(&user)? {
                return Err(format!("no account {user}"));
            }
            target
                .store
                .admin_delete_account(&user)
                .map_err(|e| e.to_string())?;
            eprintln!("deleted {user}");
            Ok(())
        }
    }
}

/// The database administered, and what the configuration says about it.
struct Target {
    store: Store,
    /// The domain the configuration serves (none with `--db`).
    domain: Option<String>,
    iterations: u32,
}

impl Target {
    fn open(args: &StoreArgs) -> Result<Target, String> {
        let (path, domain, iterations): (PathBuf, _, _) = match (&args.db, &args.config) {
            (Some(db), _) => (db.clone(), None, 4096),
            (None, Some(file)) => {
                let (config, _warnings) = Config::load(file).map_err(|errors| {
                    let lines: Vec<String> = errors
                        .iter()
                        .map(|e| format!("{}: {e}", file.display()))
                        .collect();
                    lines.join("\n")
                })?;
                let db = config.storage.sqlite.ok_or_else(|| {
                    format!(
                        "{} keeps its state in memory ([storage] sqlite is not set): there is no database to administer",
                        file.display()
                    )
                })?;
                (db, Some(config.domain), config.c2s.scram_iterations)
            }
            (None, None) => return Err("give --db FILE or --config FILE".into()),
        };
        let store = open_store(&path)?;
        Ok(Target {
            store,
            domain,
            iterations,
        })
    }

    /// The account JID, checked against the configured domain.
    fn account(&self, jid: &str) -> Result<BareJid, String> {
        let user = BareJid::new(jid).map_err(|e| format!("{jid:?} is not a valid JID: {e}"))?;
        if user.node().is_none() {
            return Err(format!("{jid:?} names no account: give user@domain"));
        }
        if let Some(domain) = &self.domain
            && user.domain() != domain.as_str()
        {
            return Err(format!("{user} is not in the configured domain {domain}"));
        }
        Ok(user)
    }

    fn exists(&self, user: &BareJid) -> Result<bool, String> {
        self.store.account_exists(user).map_err(|e| e.to_string())
    }

    fn keys(&self, password: &Password) -> Result<Vec<xmpp_sasl::scram::ScramKeys>, String> {
        let mut entropy = OsEntropy::new().map_err(|e| e.to_string())?;
        xmpp_server::derive_account_keys(password, self.iterations, &mut entropy)
            .map_err(|e| e.to_string())
    }
}

/// Opens (creating) the database, saying which file failed.
fn open_store(path: &Path) -> Result<Store, String> {
    Store::open(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The password: asked twice without echo on a terminal, else one line of
/// standard input (its line ending removed).
fn read_password() -> Result<Password, String> {
    let stdin = std::io::stdin();
    let password = if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        first
    } else {
        let mut line = String::new();
        let mut limited = std::io::Read::take(stdin.lock(), MAX_PASSWORD as u64 + 2);
        BufRead::read_line(&mut std::io::BufReader::new(&mut limited), &mut line)
            .map_err(|e| format!("reading the password from standard input: {e}"))?;
        if line.len() > MAX_PASSWORD + 1 {
            return Err(format!("the password is longer than {MAX_PASSWORD} bytes"));
        }
        let trimmed = line.strip_suffix('\n').unwrap_or(&line);
        trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned()
    };
    if password.is_empty() {
        return Err("empty password (give it on standard input, one line)".into());
    }
    Ok(Password::new(password))
}
