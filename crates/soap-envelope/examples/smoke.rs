use soap_envelope::*;
fn main() {
    for f in std::env::args().skip(1) {
        let b = std::fs::read(&f).unwrap();
        let opts = ReadOptions::default().accept_soap11(true);
        match Envelope::<AnyElement>::from_xml_with(&b, &opts) {
            Ok(e) => {
                let out = e.to_xml().unwrap();
                let mut e2 = e.clone();
                e2.version = SoapVersion::Soap12;
                let back = Envelope::<AnyElement>::from_xml(&out).map(|b| b == e2);
                println!("OK {f} action={:?} rt={:?}", e.header.action(), back);
                if back != Ok(true) && std::env::var("DBG").is_ok() {
                    println!(
                        "{:#?}\n-----\n{:#?}\n{}",
                        e2,
                        Envelope::<AnyElement>::from_xml(&out),
                        String::from_utf8_lossy(&out)
                    );
                }
            }
            Err(e) => println!("ERR {f}: {e} [{}]", e.kind_name()),
        }
    }
}
