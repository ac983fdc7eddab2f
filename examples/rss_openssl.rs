//! Peak-memory probe for OpenSSL 3 (`openssl` crate): `rss_openssl ROOTS.pem CHAIN.pem HOST
//! UNIX_TIME` builds an X509_STORE, verifies the chain once and exits (0 = verified).

use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyParam;
use openssl::x509::{X509StoreContext, X509};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, roots, chain, host, time] = args.as_slice() else {
        eprintln!("usage: rss_openssl ROOTS.pem CHAIN.pem HOST UNIX_TIME");
        std::process::exit(2);
    };
    let read = |p: &str| std::fs::read(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let mut b = X509StoreBuilder::new().expect("store");
    for c in X509::stack_from_pem(&read(roots)).expect("roots") {
        let _ = b.add_cert(c);
    }
    let mut param = X509VerifyParam::new().expect("param");
    param.set_time(time.parse().unwrap_or(0));
    param.set_host(host).expect("host");
    b.set_param(&param).expect("param");
    let store = b.build();
    let certs = X509::stack_from_pem(&read(chain)).expect("chain");
    let Some((leaf, ints)) = certs.split_first() else {
        std::process::exit(2);
    };
    let mut stack = Stack::new().expect("stack");
    for c in ints {
        let _ = stack.push(c.clone());
    }
    let mut ctx = X509StoreContext::new().expect("ctx");
    let ok = ctx
        .init(&store, leaf, &stack, |c| c.verify_cert())
        .unwrap_or(false);
    std::process::exit(if ok { 0 } else { 1 });
}
