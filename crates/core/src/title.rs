//! [`Title`]: a page title checked against MediaWiki's rules before any request.

use std::fmt;

/// The longest title MediaWiki stores, in bytes of UTF-8.
pub const MAX_TITLE_BYTES: usize = 255;

/// Characters MediaWiki never allows in a page title (`$wgLegalTitleChars`).
/// `#` is not among them: it starts a fragment, which MediaWiki splits off
/// (`Page#Section` is the page `Page`).
pub const FORBIDDEN_CHARS: &[char] = &['<', '>', '[', ']', '|', '{', '}'];

/// A page title that MediaWiki could accept, built from what a user typed.
///
/// `Title` keeps the user's spelling for reporting ([`Title::as_given`]) and
/// the trimmed form that goes into the request ([`Title::as_query`]). The
/// server still normalizes it (`Albert_einstein` → `Albert einstein`) and may
/// redirect it; the response parser maps those back to this title.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Title {
    given: String,
    query: String,
    fragment: Option<String>,
}

/// Why a string cannot be a MediaWiki title. Found before any request is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    /// Empty, or only white space and underscores (which MediaWiki strips).
    #[error("the title is empty (or only white space)")]
    Empty,
    /// Longer than [`MAX_TITLE_BYTES`] bytes once trimmed.
    #[error("the title is {bytes} bytes long; MediaWiki allows at most 255")]
    TooLong {
        /// Length of the trimmed title in bytes.
        bytes: usize,
    },
    /// Contains one of [`FORBIDDEN_CHARS`].
    #[error("the title contains {0:?}, which MediaWiki forbids in titles (< > [ ] | {{ }})")]
    ForbiddenChar(char),
    /// Contains a control character such as a newline or a tab.
    #[error("the title contains the control character {0:?}")]
    ControlChar(char),
    /// Contains `%` followed by two hex digits, which MediaWiki rejects
    /// because it would be ambiguous with URL encoding.
    #[error("the title contains {0:?}, a percent-escape; write the character itself instead")]
    PercentEscape(String),
}

impl Title {
    /// Checks `given` and builds a title, or says what is wrong with it.
    ///
    /// As in MediaWiki, everything from the first `#` on is a fragment (a
    /// section of the page), not part of the title: `Page#History` asks for
    /// `Page`, and `#History` alone is an empty title. The fragment is kept
    /// ([`Title::fragment`]) but never sent.
    pub fn new(given: &str) -> Result<Self, TitleError> {
        let (page, fragment) = match given.split_once('#') {
            Some((page, fragment)) => (page, Some(fragment.to_owned())),
            None => (given, None),
        };
        // MediaWiki strips leading and trailing white space and underscores.
        let query = page.trim_matches(|c: char| c.is_whitespace() || c == '_');
        if query.is_empty() {
            return Err(TitleError::Empty);
        }
        if query.len() > MAX_TITLE_BYTES {
            return Err(TitleError::TooLong { bytes: query.len() });
        }
        if let Some(c) = query.chars().find(|c| FORBIDDEN_CHARS.contains(c)) {
            return Err(TitleError::ForbiddenChar(c));
        }
        if let Some(c) = query
            .chars()
            .chain(fragment.iter().flat_map(|f| f.chars()))
            .find(|c| c.is_control())
        {
            return Err(TitleError::ControlChar(c));
        }
        if let Some(escape) = percent_escape(query) {
            return Err(TitleError::PercentEscape(escape.to_owned()));
        }
        Ok(Self {
            given: given.to_owned(),
            query: query.to_owned(),
            fragment,
        })
    }

    /// The fragment after the first `#`, if the user wrote one: the
    /// section they meant. The extract is the page's.
    pub fn fragment(&self) -> Option<&str> {
        self.fragment.as_deref()
    }

    /// The title exactly as the user wrote it.
    pub fn as_given(&self) -> &str {
        &self.given
    }

    /// The title as sent to the server: the part before any `#`, trimmed,
    /// otherwise unchanged.
    pub fn as_query(&self) -> &str {
        &self.query
    }
}

impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.given)
    }
}

/// The first `%XX` (two hex digits) in `s`, if any.
fn percent_escape(s: &str) -> Option<&str> {
    let bytes = s.as_bytes();
    (0..bytes.len().saturating_sub(2))
        .find(|&i| {
            bytes[i] == b'%' && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()
        })
        .map(|i| &s[i..i + 3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hostile_but_legal_titles() {
        for t in [
            "AT&T",
            "C++",
            "100% (song)",
            "Question?",
            "Schrödinger equation",
            "東京",
            "a=b;c/d",
            "Albert_Einstein",
            "50%",
        ] {
            let title = Title::new(t).unwrap();
            assert_eq!(title.as_given(), t);
            assert_eq!(title.as_query(), t);
        }
    }

    #[test]
    fn trims_but_keeps_the_users_spelling() {
        let t = Title::new("  _Rust_ \t").unwrap();
        assert_eq!(t.as_query(), "Rust");
        assert_eq!(t.as_given(), "  _Rust_ \t");
        assert_eq!(t.to_string(), "  _Rust_ \t");
    }

    #[test]
    fn rejects_empty_and_blank() {
        for t in ["", " ", "\t\n", "___", " _ "] {
            assert_eq!(Title::new(t), Err(TitleError::Empty), "{t:?}");
        }
    }

    /// MediaWiki's forbidden characters, written out here rather than read
    /// from [`FORBIDDEN_CHARS`]: a character dropped from that list must
    /// fail this test, not silently drop its own case.
    #[test]
    fn refuses_each_forbidden_character_by_name() {
        for c in ['<', '>', '[', ']', '|', '{', '}'] {
            for t in [format!("a{c}b"), format!("{c}"), format!("Page {c}#frag")] {
                assert_eq!(
                    Title::new(&t),
                    Err(TitleError::ForbiddenChar(c)),
                    "{t:?} must be refused naming {c:?}"
                );
            }
            let message = TitleError::ForbiddenChar(c).to_string();
            assert!(message.contains(&format!("{c:?}")), "{message}");
        }
        // Only those: the characters beside them in ASCII are legal.
        for c in ['(', ')', '=', '?', '\\', '^', '`', '~', '&', '+'] {
            assert!(Title::new(&format!("a{c}b")).is_ok(), "{c:?}");
        }
    }

    #[test]
    fn rejects_forbidden_characters() {
        for c in FORBIDDEN_CHARS {
            let t = format!("a{c}b");
            assert_eq!(Title::new(&t), Err(TitleError::ForbiddenChar(*c)));
        }
    }

    #[test]
    fn a_fragment_is_split_off_as_mediawiki_does() {
        let t = Title::new("Rust (programming language)#History").unwrap();
        assert_eq!(t.as_query(), "Rust (programming language)");
        assert_eq!(t.fragment(), Some("History"));
        assert_eq!(t.as_given(), "Rust (programming language)#History");
        // The page part is trimmed; the fragment may hold what a title may not.
        let t = Title::new(" Page _#a#<b>").unwrap();
        assert_eq!((t.as_query(), t.fragment()), ("Page", Some("a#<b>")));
        assert_eq!(Title::new("Page#").unwrap().fragment(), Some(""));
        assert_eq!(Title::new("Page").unwrap().fragment(), None);
        // Only a fragment: the title itself is empty.
        assert_eq!(Title::new("#History"), Err(TitleError::Empty));
        assert_eq!(Title::new("  #History"), Err(TitleError::Empty));
        // The page part's own rules still hold, and control characters
        // anywhere.
        assert_eq!(Title::new("a|b#c"), Err(TitleError::ForbiddenChar('|')));
        assert_eq!(Title::new("Page#a\nb"), Err(TitleError::ControlChar('\n')));
    }

    #[test]
    fn rejects_control_characters() {
        assert_eq!(Title::new("a\nb"), Err(TitleError::ControlChar('\n')));
        assert_eq!(
            Title::new("a\u{7f}b"),
            Err(TitleError::ControlChar('\u{7f}'))
        );
        assert_eq!(Title::new("a\0"), Err(TitleError::ControlChar('\0')));
    }

    #[test]
    fn rejects_percent_escapes_but_not_percent_signs() {
        assert_eq!(
            Title::new("100%25"),
            Err(TitleError::PercentEscape("%25".into()))
        );
        assert!(Title::new("100% (song)").is_ok());
        assert!(Title::new("%zz").is_ok());
        // Both characters after the `%` must be hex digits, not any two
        // around it.
        assert!(Title::new("ab%2z").is_ok());
        assert!(Title::new("ab%z2").is_ok());
        assert_eq!(
            Title::new("ab%2f"),
            Err(TitleError::PercentEscape("%2f".into()))
        );
    }

    #[test]
    fn length_is_counted_in_bytes_after_trimming() {
        assert!(Title::new(&"a".repeat(255)).is_ok());
        assert!(Title::new(&format!("  {}  ", "a".repeat(255))).is_ok());
        assert_eq!(
            Title::new(&"a".repeat(300)),
            Err(TitleError::TooLong { bytes: 300 })
        );
        // 86 three-byte characters: 258 bytes, although only 86 chars.
        assert_eq!(
            Title::new(&"東".repeat(86)),
            Err(TitleError::TooLong { bytes: 258 })
        );
    }
}
