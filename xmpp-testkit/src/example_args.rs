//! Command-line options shared by the `send` and `echo` examples of both adapters:
//! `--name value` pairs, each given at most once.

use std::collections::BTreeMap;

/// The options, by name without the dashes.
pub struct Args(BTreeMap<String, String>);

impl Args {
    /// Parses `std::env::args`, accepting only `allowed` names.
    pub fn parse(allowed: &[&str]) -> Result<Args, String> {
        let mut map = BTreeMap::new();
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let name = flag.strip_prefix("--").filter(|n| allowed.contains(n));
            let name = name.ok_or_else(|| format!("unknown option {flag}"))?;
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            if map.insert(name.to_owned(), value).is_some() {
                return Err(format!("{flag} given twice"));
            }
        }
        Ok(Args(map))
    }

    /// A required option.
    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} is required"))
    }

    /// An optional option.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// The client configuration from `--jid`, `--password`, `--server`, `--ca-file`.
#[allow(dead_code)]
pub fn connect_config(args: &Args) -> Result<xmpp_adapter::ConnectConfig, String> {
    let jid = args.required("jid")?;
    let mut config = xmpp_adapter::ConnectConfig::new(jid, args.required("password")?)
        .map_err(|e| e.to_string())?;
    if let Some(server) = args.optional("server") {
        config = config.server_addr(server).map_err(|e| e.to_string())?;
    }
    if let Some(ca) = args.optional("ca-file") {
        config = config.ca_file(ca);
    }
    Ok(config)
}
