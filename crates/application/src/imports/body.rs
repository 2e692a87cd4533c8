//! An upload's bytes on their way to the CSV reader: counted against the size limit,
//! hashed, made UTF-8 ([`Transcoder`]) and checked ([`FileCheck`]). A file-level problem
//! travels through the reader as an `io::Error` holding the [`FileError`], told apart from
//! the body's own failures (a stall, a lost connection) when the reader hands it back.

use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::{self, Cursor};
use std::pin::Pin;
use std::task::{Context, Poll};
use tisseco_domain::import::{FileCheck, FileError, TextEncoding, Transcoder};

/// The body of an upload, checked as it is read.
pub(super) struct CheckedBody<S> {
    body: S,
    max_bytes: u64,
    bytes: u64,
    hasher: Sha256,
    transcoder: Transcoder,
    check: FileCheck,
    /// The header line, read before the reader was made to learn the delimiter.
    unread: Option<Vec<u8>>,
    done: bool,
}

/// A file-level problem, carried through the reader.
pub(super) fn refused(error: FileError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

/// The file-level problem an error from the reader carries, if it is one.
pub(super) fn file_error_of(error: &io::Error) -> Option<&FileError> {
    error.get_ref()?.downcast_ref()
}

impl<S, B> CheckedBody<S>
where
    S: Stream<Item = io::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    pub(super) fn new(body: S, max_bytes: u64, encoding: Option<TextEncoding>) -> Self {
        Self {
            body,
            max_bytes,
            bytes: 0,
            hasher: Sha256::new(),
            transcoder: Transcoder::new(encoding),
            check: FileCheck::new(),
            unread: None,
            done: false,
        }
    }

    /// Reads up to the end of the header line and gives its delimiter.
    ///
    /// # Errors
    /// The file-level problem or the body's failure met on the way.
    pub(super) async fn read_header(&mut self) -> io::Result<u8> {
        if let Some(first) = self.next().await.transpose()? {
            self.unread = Some(first.into_inner());
        }
        Ok(self.check.delimiter().unwrap_or(b','))
    }

    /// The encoding the file was read in.
    pub(super) fn encoding(&self) -> TextEncoding {
        self.transcoder.encoding().unwrap_or(TextEncoding::Utf8)
    }

    /// The SHA-256 of the bytes as sent, in hex.
    pub(super) fn checksum(&mut self) -> String {
        let digest = std::mem::take(&mut self.hasher).finalize();
        digest.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    fn take(&mut self, chunk: &[u8]) -> io::Result<Vec<u8>> {
        self.bytes += chunk.len() as u64;
        if self.bytes > self.max_bytes {
            return Err(refused(FileError::TooLarge {
                limit: self.max_bytes,
            }));
        }
        self.hasher.update(chunk);
        let text = self.transcoder.feed(chunk);
        self.check.feed(text).map_err(refused)
    }

    fn end(&mut self) -> io::Result<Vec<u8>> {
        let mut text = self.check.feed(self.transcoder.finish()).map_err(refused)?;
        text.extend(self.check.finish().map_err(refused)?);
        Ok(text)
    }
}

impl<S, B> Stream for CheckedBody<S>
where
    S: Stream<Item = io::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    type Item = io::Result<Cursor<Vec<u8>>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(header) = this.unread.take() {
            return Poll::Ready(Some(Ok(Cursor::new(header))));
        }
        while !this.done {
            let next = match this.body.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.take(chunk.as_ref()),
                Poll::Ready(Some(Err(error))) => Err(error),
                Poll::Ready(None) => {
                    this.done = true;
                    this.end()
                }
            };
            match next {
                Ok(text) if text.is_empty() => {}
                Ok(text) => return Poll::Ready(Some(Ok(Cursor::new(text)))),
                Err(error) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
        Poll::Ready(None)
    }
}
