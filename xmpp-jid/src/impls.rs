//! Standard trait implementations shared by [`Jid`], [`BareJid`] and [`FullJid`]:
//! comparison on the normalised string, `Display`, `FromStr`, conversions.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;
use std::borrow::Borrow;

use crate::bare::BareJid;
use crate::error::JidError;
use crate::full::FullJid;
use crate::jid::Jid;

macro_rules! string_like {
    ($ty:ident, $name:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple($name).field(&self.as_str()).finish()
            }
        }

        impl FromStr for $ty {
            type Err = JidError;

            fn from_str(s: &str) -> Result<Self, JidError> {
                $ty::new(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl Borrow<str> for $ty {
            fn borrow(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $ty {}

        impl Hash for $ty {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }

        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

string_like!(Jid, "Jid");
string_like!(BareJid, "BareJid");
string_like!(FullJid, "FullJid");

macro_rules! cross_eq {
    ($a:ident, $b:ident) => {
        impl PartialEq<$b> for $a {
            fn eq(&self, other: &$b) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl PartialEq<$a> for $b {
            fn eq(&self, other: &$a) -> bool {
                self.as_str() == other.as_str()
            }
        }
    };
}

cross_eq!(Jid, BareJid);
cross_eq!(Jid, FullJid);

impl From<BareJid> for Jid {
    fn from(jid: BareJid) -> Jid {
        jid.0
    }
}

impl From<FullJid> for Jid {
    fn from(jid: FullJid) -> Jid {
        jid.0
    }
}

impl TryFrom<Jid> for FullJid {
    type Error = JidError;

    /// Fails with [`JidError::ResourceRequired`] for a bare JID.
    fn try_from(jid: Jid) -> Result<FullJid, JidError> {
        jid.try_into_full().map_err(|_| JidError::ResourceRequired)
    }
}

impl TryFrom<Jid> for BareJid {
    type Error = JidError;

    /// Fails with [`JidError::ResourceNotAllowed`] for a full JID.
    fn try_from(jid: Jid) -> Result<BareJid, JidError> {
        jid.try_into_bare()
            .map_err(|_| JidError::ResourceNotAllowed)
    }
}

impl From<FullJid> for BareJid {
    fn from(jid: FullJid) -> BareJid {
        jid.to_bare()
    }
}

impl From<BareJid> for String {
    fn from(jid: BareJid) -> String {
        jid.into_string()
    }
}

impl From<FullJid> for String {
    fn from(jid: FullJid) -> String {
        jid.into_string()
    }
}

impl From<Jid> for String {
    fn from(jid: Jid) -> String {
        jid.into_string()
    }
}
