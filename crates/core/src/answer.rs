//! The shape of a TextExtracts answer: only the fields [`crate::parse`]
//! reads, borrowed from the body where they need no unescaping.
//!
//! Every field is lenient: a value of the wrong type is kept as
//! [`Atom::Other`] or [`Obj::Other`], never a failed parse, so that the
//! rules in `parse` decide what a strange answer means (an unexpected
//! shape for one title, not a malformed body for a whole batch), as they
//! would on a `serde_json::Value`. Unlike a `Value`, nothing the rules do
//! not read is built: no map of every key, no copy of every string.
//! Measured with callgrind on the mock's 733-byte answer, parsing into a
//! `Value` was about 27k instructions a title, more than hyper's whole
//! request and response.
//!
//! Two things differ from a `Value`: a key given twice in one object is a
//! malformed body (a `Value` keeps the last), and the text of a field
//! nobody reads is skipped without checking that it is UTF-8.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The answer: `{"error": ..., "query": ..., "continue": ...}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Root<'a> {
    #[serde(borrow)]
    pub error: Obj<ApiError<'a>>,
    #[serde(borrow)]
    pub query: Obj<Query<'a>>,
    #[serde(borrow, rename = "continue")]
    pub next: Obj<Continue<'a>>,
}

/// `error`: why the API refused the query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ApiError<'a> {
    #[serde(borrow)]
    pub code: Atom<'a>,
    #[serde(borrow)]
    pub info: Atom<'a>,
}

/// `query`: where titles went and the pages they reached.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Query<'a> {
    #[serde(borrow)]
    pub normalized: List<Mapping<'a>>,
    #[serde(borrow)]
    pub redirects: List<Mapping<'a>>,
    #[serde(borrow)]
    pub interwiki: List<Interwiki<'a>>,
    #[serde(borrow)]
    pub pages: Pages<'a>,
}

/// One `{from, to}` of `normalized` or `redirects`. In `normalized`,
/// `fromencoded` (true, or `""` in format version 1) says that `from` is
/// the title as sent, percent-encoded (PHP's `rawurlencode`): MediaWiki
/// does so when the title was not in Unicode NFC, so that the bytes the
/// client sent survive the JSON.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Mapping<'a> {
    #[serde(borrow)]
    pub from: Atom<'a>,
    #[serde(borrow)]
    pub to: Atom<'a>,
    #[serde(borrow)]
    pub fromencoded: Atom<'a>,
}

/// One `{title, iw}` of `interwiki`: a title that names another wiki.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Interwiki<'a> {
    #[serde(borrow)]
    pub title: Atom<'a>,
    #[serde(borrow)]
    pub iw: Atom<'a>,
}

/// One page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Page<'a> {
    #[serde(borrow)]
    pub title: Atom<'a>,
    #[serde(borrow)]
    pub invalid: Atom<'a>,
    #[serde(borrow)]
    pub invalidreason: Atom<'a>,
    #[serde(borrow)]
    pub missing: Atom<'a>,
    #[serde(borrow)]
    pub extract: Atom<'a>,
    #[serde(borrow)]
    pub pageprops: Obj<PageProps<'a>>,
}

/// `pageprops` (asked for with `ppprop=disambiguation`): a disambiguation
/// page has `disambiguation`, with the value `""`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PageProps<'a> {
    #[serde(borrow)]
    pub disambiguation: Atom<'a>,
}

/// `continue`: where the next answer of a batch starts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Continue<'a> {
    #[serde(borrow)]
    pub excontinue: Atom<'a>,
}

/// A value that should be a string, a number or a flag.
#[derive(Debug, Default)]
pub(crate) enum Atom<'a> {
    /// The key is not there.
    #[default]
    Absent,
    Null,
    Bool(bool),
    /// A whole number that fits a `u64`.
    Whole(u64),
    Text(Cow<'a, str>),
    /// Any other number, a list or an object.
    Other,
}

impl Atom<'_> {
    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Atom::Text(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean flag: `true` in formatversion 2, present (usually `""`)
    /// in formatversion 1; absent, `null` and `false` are not set.
    pub fn is_set(&self) -> bool {
        !matches!(self, Atom::Absent | Atom::Null | Atom::Bool(false))
    }
}

/// A value that should be an object of shape `T`.
#[derive(Debug, Default)]
pub(crate) enum Obj<T> {
    /// The key is not there.
    #[default]
    Absent,
    Is(T),
    /// Anything but an object, `null` included.
    Other,
}

impl<T> Obj<T> {
    /// The object, if this is one.
    pub fn get(&self) -> Option<&T> {
        match self {
            Obj::Is(t) => Some(t),
            _ => None,
        }
    }

    /// The object, if this is one, owned.
    fn into_inner(self) -> Option<T> {
        match self {
            Obj::Is(t) => Some(t),
            _ => None,
        }
    }
}

/// A value that should be a list of objects of shape `T`: the items that
/// are such objects, or nothing if it is absent or not a list.
#[derive(Debug)]
pub(crate) struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

/// `pages`: a list (formatversion 2) or an object keyed by page id
/// (formatversion 1).
#[derive(Debug, Default)]
pub(crate) enum Pages<'a> {
    #[default]
    Absent,
    /// The pages that are objects, in the answer's order.
    Found(Vec<Page<'a>>),
    /// Neither a list nor an object.
    Other,
}

/// The visitor methods for the values a type does not want: each is
/// skipped and read as `$other`.
macro_rules! other_values {
    ($other:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
    };
}

fn skip_list<'de, A: SeqAccess<'de>>(mut list: A) -> Result<(), A::Error> {
    while list.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// The items of `list` that are objects of shape `T`, in order.
fn objects<'de, T: serde::Deserialize<'de>, A: SeqAccess<'de>>(
    mut list: A,
) -> Result<Vec<T>, A::Error> {
    let mut items = Vec::new();
    while let Some(item) = list.next_element::<Obj<T>>()? {
        items.extend(item.into_inner());
    }
    Ok(items)
}

fn skip_object<'de, A: MapAccess<'de>>(mut object: A) -> Result<(), A::Error> {
    while object.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Atom<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Atom<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Atom<'a>, E> {
                Ok(Atom::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Atom<'a>, E> {
                Ok(u64::try_from(n).map_or(Atom::Other, Atom::Whole))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Atom<'a>, E> {
                Ok(Atom::Whole(n))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Atom<'a>, E> {
                Ok(Atom::Other)
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Atom<'a>, E> {
                Ok(Atom::Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Atom<'a>, E> {
                Ok(Atom::Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Atom<'a>, E> {
                Ok(Atom::Text(Cow::Owned(s)))
            }
            fn visit_unit<E>(self) -> Result<Atom<'a>, E> {
                Ok(Atom::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, list: A) -> Result<Atom<'a>, A::Error> {
                skip_list(list).map(|()| Atom::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, object: A) -> Result<Atom<'a>, A::Error> {
                skip_object(object).map(|()| Atom::Other)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            other_values!(Obj::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, list: A) -> Result<Obj<T>, A::Error> {
                skip_list(list).map(|()| Obj::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, object: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(object)).map(Obj::Is)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            other_values!(List::default());
            fn visit_seq<A: SeqAccess<'de>>(self, list: A) -> Result<List<T>, A::Error> {
                objects(list).map(List)
            }
            fn visit_map<A: MapAccess<'de>>(self, object: A) -> Result<List<T>, A::Error> {
                skip_object(object).map(|()| List::default())
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Pages<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Pages<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            other_values!(Pages::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, list: A) -> Result<Pages<'a>, A::Error> {
                objects(list).map(Pages::Found)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut by_id: A) -> Result<Pages<'a>, A::Error> {
                let mut pages = Vec::new();
                while let Some((_, page)) = by_id.next_entry::<IgnoredAny, Obj<Page<'a>>>()? {
                    pages.extend(page.into_inner());
                }
                Ok(Pages::Found(pages))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}
