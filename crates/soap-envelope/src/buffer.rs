//! Collecting a message body that arrives in chunks, within
//! [`Limits::max_document_len`].

use crate::{Error, ErrorKind, Limit, Limits, Result};

/// A message body collected from the chunks the caller's HTTP stack hands
/// over, refused as soon as it grows past [`Limits::max_document_len`]:
/// an oversized body is never buffered whole, whatever its sender claims.
///
/// This crate does no I/O; the caller reads the socket and pushes what it
/// read. [`DocumentBuffer::with_declared_len`] also refuses a body whose
/// declared length (HTTP `Content-Length`) is already too large, before a
/// byte of it is read, and reserves no more than the limit for one that
/// fits. When the body is complete, [`DocumentBuffer::as_bytes`] is what
/// [`Envelope::from_xml`](crate::Envelope::from_xml) reads.
///
/// ```
/// use soap_envelope::{DocumentBuffer, ErrorKind, Limit, Limits};
///
/// let limits = Limits::default().with_max_document_len(16);
/// let mut body = DocumentBuffer::new(&limits);
/// body.push(b"<a>0123456789")?;
/// let err = body.push(b"</a>").unwrap_err();
/// assert_eq!(
///     err.kind(),
///     &ErrorKind::LimitExceeded { limit: Limit::DocumentLength, max: 16 }
/// );
/// assert_eq!(err.offset(), 16); // the first byte past the limit
/// assert_eq!(body.len(), 13); // nothing of the refused chunk was kept
///
/// // A declared length over the limit is refused before any byte is read.
/// assert!(DocumentBuffer::with_declared_len(&limits, Some(1 << 40)).is_err());
/// # Ok::<(), soap_envelope::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DocumentBuffer {
    bytes: Vec<u8>,
    max: usize,
}

impl DocumentBuffer {
    /// An empty buffer that accepts up to `limits.max_document_len` bytes.
    pub fn new(limits: &Limits) -> Self {
        Self {
            bytes: Vec::new(),
            max: limits.max_document_len,
        }
    }

    /// An empty buffer for a body of `declared` bytes (the HTTP
    /// `Content-Length`, when the peer sent one): refused at once when that
    /// is over the limit, else with room reserved for it. The declared
    /// length is a hint, not a promise: [`push`](Self::push) still checks
    /// every chunk against the limit.
    pub fn with_declared_len(limits: &Limits, declared: Option<u64>) -> Result<Self> {
        let mut buffer = Self::new(limits);
        if let Some(declared) = declared {
            let len = usize::try_from(declared).unwrap_or(usize::MAX);
            if len > buffer.max {
                return Err(buffer.too_long(buffer.max));
            }
            buffer.bytes.reserve_exact(len);
        }
        Ok(buffer)
    }

    /// Appends the next chunk, or refuses it (keeping none of it) when the
    /// body would grow past the limit. The error's offset is that of the
    /// first byte past the limit.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        let room = self.max - self.bytes.len();
        if chunk.len() > room {
            return Err(self.too_long(room));
        }
        // Grow by doubling, as `Vec` would, but never past the limit.
        let need = self.bytes.len() + chunk.len();
        if need > self.bytes.capacity() {
            let want = need.max(self.bytes.capacity() * 2).min(self.max);
            self.bytes.reserve_exact(want - self.bytes.len());
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// The bytes collected so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes collected, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// How many bytes have been collected.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing has been collected.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The limit error for a body whose first byte past the limit is
    /// `past` bytes into the current chunk.
    fn too_long(&self, past: usize) -> Error {
        let offset = self.bytes.len().saturating_add(past);
        Error::new(
            ErrorKind::LimitExceeded {
                limit: Limit::DocumentLength,
                max: self.max,
            },
            "",
            u64::try_from(offset).unwrap_or(u64::MAX),
        )
    }
}
