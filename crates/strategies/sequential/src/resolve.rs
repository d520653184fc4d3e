//! Resolve once, not per request.
//!
//! ureq asks its resolver for the server's address on every request, even
//! when a pooled connection will carry it, and its default resolver does
//! the lookup on a new thread whenever a timeout is set: one thread
//! created and joined per request (`strace -f -e clone3` counted 200 for
//! 200 titles). That cost belongs to no concurrency model, so this
//! resolver remembers each `host:port`'s addresses and asks the system
//! again only after a connection to it has failed ([`Remembered::forget`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// A resolver that looks a host up once and then answers from memory.
#[derive(Debug, Clone, Default)]
pub struct Remembered {
    known: Arc<Mutex<HashMap<String, ResolvedSocketAddrs>>>,
}

impl Remembered {
    fn known(&self) -> MutexGuard<'_, HashMap<String, ResolvedSocketAddrs>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every address, so the next request looks its host up again
    /// (after a failed connection: the host may have moved).
    pub fn forget(&self) {
        self.known().clear();
    }

    /// How many hosts are remembered.
    pub fn len(&self) -> usize {
        self.known().len()
    }

    /// Whether no host is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Resolver for Remembered {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = match (uri.scheme(), uri.authority()) {
            (Some(scheme), Some(authority)) => DefaultResolver::host_and_port(scheme, authority),
            _ => None,
        };
        if let Some(hit) = key.as_ref().and_then(|k| self.known().get(k).cloned()) {
            return Ok(hit);
        }
        let resolved = DefaultResolver::default().resolve(uri, config, timeout)?;
        if let Some(key) = key {
            self.known().insert(key, resolved.clone());
        }
        Ok(resolved)
    }
}
