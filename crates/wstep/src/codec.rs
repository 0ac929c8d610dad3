//! Reading helpers shared by the model types, and the codecs
//! (`#[xml(with = ...)]`) of the lexical forms MS-WSTEP adds to
//! `soap_envelope::fields` (see `soap_envelope::fields::value`).

pub(crate) use soap_envelope::fields::once;

/// A URI-valued enumeration with an `Other` case (`RequestType`): the
/// collapsed text parsed (infallibly), written with `Display`.
pub(crate) mod uri_enum {
    use std::convert::Infallible;
    use std::fmt::Display;
    use std::str::FromStr;

    use soap_envelope::xsd::collapse;
    use soap_envelope::{QName, Result, Start, XmlReader, XmlWriter};

    pub(crate) fn read<T: FromStr<Err = Infallible>>(
        r: &mut XmlReader<'_>,
        _start: &Start<'_>,
    ) -> Result<T> {
        let text = r.text()?;
        Ok(collapse(&text).parse().unwrap_or_else(|e| match e {}))
    }

    pub(crate) fn write<T: Display>(w: &mut XmlWriter, name: QName, value: &T) -> Result<()> {
        w.text_element(name, &value.to_string())
    }
}

/// A qualified attribute also read unqualified (`PreferredLanguage`),
/// whitespace collapsed; written qualified.
pub(crate) mod or_unqualified {
    use soap_envelope::xsd::collapse;
    use soap_envelope::{QName, Result, Start, XmlReader, XmlWriter};

    #[allow(clippy::unnecessary_wraps)] // the codec's signature
    pub(crate) fn read_attr(
        _r: &XmlReader<'_>,
        start: &Start<'_>,
        name: QName,
    ) -> Result<Option<String>> {
        Ok(start
            .attr(name)
            .or_else(|| start.attr(QName::new("", name.local)))
            .map(|s| collapse(s).into_owned()))
    }

    pub(crate) fn write_attr(w: &mut XmlWriter, name: QName, value: &str) -> Result<()> {
        w.attribute(name, value)
    }
}
