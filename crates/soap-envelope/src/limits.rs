//! Resource limits applied while reading untrusted XML.

use std::fmt;

/// Limits on what a reader accepts, checked before the work they bound is
/// done. A document that exceeds one gives
/// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
///
/// The defaults fit every real CEP/CES message seen (a policy with thousands
/// of templates, a certificate chain of a few kilobytes) with a wide margin,
/// and stop hostile input early.
///
/// ```
/// use soap_envelope::Limits;
///
/// let strict = Limits::default().with_max_document_len(64 * 1024);
/// assert_eq!(strict.max_depth, Limits::default().max_depth);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest document, in bytes (default 8 MiB). Checked before parsing.
    pub max_document_len: usize,
    /// Deepest element nesting (default 64).
    pub max_depth: usize,
    /// Longest text content of one element, in bytes after decoding
    /// (default 4 MiB).
    pub max_text_len: usize,
    /// Longest attribute value, in bytes (default 64 KiB).
    pub max_attr_len: usize,
    /// Most attributes (namespace declarations included) on one element
    /// (default 64).
    pub max_attributes: usize,
    /// Most namespace declarations in scope at once (default 128).
    pub max_ns_decls: usize,
    /// Most elements in one document (default 1,000,000).
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_document_len: 8 * 1024 * 1024,
            max_depth: 64,
            max_text_len: 4 * 1024 * 1024,
            max_attr_len: 64 * 1024,
            max_attributes: 64,
            max_ns_decls: 128,
            max_elements: 1_000_000,
        }
    }
}

impl Limits {
    /// Sets [`max_document_len`](Self::max_document_len).
    #[must_use]
    pub fn with_max_document_len(mut self, value: usize) -> Self {
        self.max_document_len = value;
        self
    }

    /// Sets [`max_depth`](Self::max_depth).
    #[must_use]
    pub fn with_max_depth(mut self, value: usize) -> Self {
        self.max_depth = value;
        self
    }

    /// Sets [`max_text_len`](Self::max_text_len).
    #[must_use]
    pub fn with_max_text_len(mut self, value: usize) -> Self {
        self.max_text_len = value;
        self
    }

    /// Sets [`max_attr_len`](Self::max_attr_len).
    #[must_use]
    pub fn with_max_attr_len(mut self, value: usize) -> Self {
        self.max_attr_len = value;
        self
    }

    /// Sets [`max_attributes`](Self::max_attributes).
    #[must_use]
    pub fn with_max_attributes(mut self, value: usize) -> Self {
        self.max_attributes = value;
        self
    }

    /// Sets [`max_ns_decls`](Self::max_ns_decls).
    #[must_use]
    pub fn with_max_ns_decls(mut self, value: usize) -> Self {
        self.max_ns_decls = value;
        self
    }

    /// Sets [`max_elements`](Self::max_elements).
    #[must_use]
    pub fn with_max_elements(mut self, value: usize) -> Self {
        self.max_elements = value;
        self
    }
    /// The configured maximum of one limit.
    pub fn get(&self, limit: Limit) -> usize {
        match limit {
            Limit::DocumentLength => self.max_document_len,
            Limit::Depth => self.max_depth,
            Limit::TextLength => self.max_text_len,
            Limit::AttributeLength => self.max_attr_len,
            Limit::Attributes => self.max_attributes,
            Limit::NamespaceDeclarations => self.max_ns_decls,
            Limit::Elements => self.max_elements,
        }
    }
}

/// Which of the [`Limits`] was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_document_len`]
    DocumentLength,
    /// [`Limits::max_depth`]
    Depth,
    /// [`Limits::max_text_len`]
    TextLength,
    /// [`Limits::max_attr_len`]
    AttributeLength,
    /// [`Limits::max_attributes`]
    Attributes,
    /// [`Limits::max_ns_decls`]
    NamespaceDeclarations,
    /// [`Limits::max_elements`]
    Elements,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::DocumentLength => "document length",
            Limit::Depth => "element depth",
            Limit::TextLength => "text length",
            Limit::AttributeLength => "attribute length",
            Limit::Attributes => "attributes per element",
            Limit::NamespaceDeclarations => "namespace declarations",
            Limit::Elements => "element count",
        })
    }
}
