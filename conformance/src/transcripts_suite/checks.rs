//! What must hold after a replay (the `check` of each case).

use xmpp_core::{AuthError, CloseReason};
use xmpp_sasl::{Mechanism, SaslError};
use xmpp_stanza::{Sasl, StreamError, ns};

use super::parse::{Dir, Kind, Unit};
use super::replay::Outcome;

/// `Err(what)` unless `ok`.
pub fn expect(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

pub fn open(o: &Outcome, _: &[Unit]) -> Result<(), String> {
    expect(o.closed.is_none(), || format!("closed: {:?}", o.closed))
}

pub fn not_online(o: &Outcome, _: &[Unit]) -> Result<(), String> {
    expect(
        o.closed.is_none() && !o.events.iter().any(|e| e.starts_with("Online(")),
        || format!("{:?} {:?}", o.closed, o.events),
    )
}

pub fn closed_local(o: &Outcome, _: &[Unit]) -> Result<(), String> {
    expect(o.closed == Some(CloseReason::Local), || {
        format!("{:?}", o.closed)
    })
}

pub fn closed_by_peer(o: &Outcome, _: &[Unit]) -> Result<(), String> {
    expect(o.closed == Some(CloseReason::Peer), || {
        format!("{:?}", o.closed)
    })
}

/// The stream error of a unit list.
pub fn stream_error(units: &[Unit]) -> Option<StreamError> {
    units
        .iter()
        .filter_map(Unit::element)
        .find(|e| e.is("error", ns::STREAM))
        .and_then(|e| StreamError::try_from(e).ok())
}

pub fn client_saw_stream_error(o: &Outcome, units: &[Unit]) -> Result<(), String> {
    let error = stream_error(units).ok_or("no stream error in the block")?;
    let want = match error.see_other_host_target() {
        Some(host) => CloseReason::SeeOtherHost { host: host.into() },
        None => CloseReason::PeerError(Box::new(error)),
    };
    expect(o.closed.as_ref() == Some(&want), || {
        format!("{:?}", o.closed)
    })?;
    expect(o.output.ends_with(b"</stream:stream>"), || {
        "our stream was not closed".into()
    })
}

/// DIGEST-MD5 `key=value` directives (values unquoted).
fn directives(data: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    for part in text.trim().split(',') {
        if let Some((k, v)) = part.split_once('=') {
            out.push((k.trim().to_owned(), v.trim().trim_matches('"').to_owned()));
        }
    }
    out
}

pub fn digest_check(o: &Outcome, units: &[Unit]) -> Result<(), String> {
    expect(
        o.closed
            == Some(CloseReason::AuthFailed(AuthError::Refused {
                mechanism: Mechanism::DigestMd5,
                error: SaslError::ServerSignatureMismatch,
            })),
        || format!("{:?}", o.closed),
    )?;
    expect(o.leftover.iter().any(|u| u.starts_with("<abort")), || {
        format!("no <abort/>: {:?}", o.leftover)
    })?;
    // Our response carries the transcript's directives (not its cnonce/response).
    let response = |dir: Dir, from: &[Unit]| {
        from.iter()
            .filter(|u| u.dir == dir)
            .filter_map(Unit::element)
            .find_map(|e| match Sasl::try_from(e) {
                Ok(Sasl::Response(Some(d))) => Some(directives(&d)),
                _ => None,
            })
    };
    let expected = response(Dir::C, units).ok_or("no response in the transcript")?;
    let ours_units: Vec<Unit> = super::parse::split(&String::from_utf8_lossy(&o.output))?
        .into_iter()
        .filter(|(_, k)| matches!(k, Kind::Element(_)))
        .map(|(text, kind)| Unit {
            dir: Dir::C,
            text,
            kind,
            group: 0,
        })
        .collect();
    let ours = response(Dir::C, &ours_units).ok_or("we sent no response")?;
    for key in [
        "username",
        "realm",
        "nonce",
        "nc",
        "qop",
        "digest-uri",
        "charset",
    ] {
        let get =
            |list: &[(String, String)]| list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        expect(get(&expected) == get(&ours), || {
            format!("{key}: expected {:?}, got {:?}", get(&expected), get(&ours))
        })?;
    }
    Ok(())
}
