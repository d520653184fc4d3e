//! The resolver that spares ureq a lookup (and a thread) per request:
//! a host is looked up once, remembered per scheme, host and port, and
//! looked up again only once forgotten. Only IP literals on 127.0.0.1:
//! no name service is asked.

use ureq::unversioned::resolver::Resolver;
use ureq::unversioned::transport::NextTimeout;
use wikifetch_sequential::Remembered;

#[test]
fn a_host_is_remembered_per_port_until_forgotten() {
    let resolver = Remembered::default();
    let config = ureq::config::Config::default();
    let resolve = |uri: &str| {
        let uri: ureq::http::Uri = uri.parse().unwrap();
        format!(
            "{:?}",
            resolver
                .resolve(&uri, &config, NextTimeout::default())
                .unwrap()
        )
    };
    assert!(resolver.is_empty());
    let first = resolve("http://127.0.0.1:9/w/api.php");
    assert_eq!(resolver.len(), 1);
    assert!(!resolver.is_empty());
    assert_eq!(resolve("http://127.0.0.1:9/other"), first, "the same host");
    assert_eq!(resolver.len(), 1);
    resolve("http://127.0.0.1:10/w/api.php");
    assert_eq!(resolver.len(), 2, "another port is another entry");
    resolver.forget();
    assert!(resolver.is_empty());
    assert_eq!(resolver.len(), 0);
    assert_eq!(resolve("http://127.0.0.1:9/w/api.php"), first);
    assert_eq!(resolver.len(), 1);
}
