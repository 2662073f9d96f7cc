//! `serde` support (feature `serde`): JIDs serialise as their normalised string and
//! deserialise through the RFC 6122 parser, so invalid input is rejected.

use serde::de::{Error as _, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{BareJid, FullJid, Jid};

macro_rules! serde_string {
    ($ty:ident, $expecting:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        $ty::new(v).map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(V).map_err(D::Error::custom)
            }
        }
    };
}

serde_string!(Jid, "a JID string");
serde_string!(BareJid, "a bare JID string");
serde_string!(FullJid, "a full JID string");
