//! A blocking `Read` over an object's byte stream, so the CSV decoder reads a cloud object the
//! way it reads a local file: chunk by chunk as the bytes arrive, never the whole object.

use std::io::Read;

use bytes::Bytes;
use futures::StreamExt as _;
use futures::stream::BoxStream;
use tokio::runtime::Handle;

pub struct ObjectReader {
    runtime: Handle,
    chunks: BoxStream<'static, object_store::Result<Bytes>>,
    current: Bytes,
    /// Names the store and object in read errors.
    describe: String,
}

impl ObjectReader {
    pub fn new(
        runtime: Handle,
        chunks: BoxStream<'static, object_store::Result<Bytes>>,
        describe: String,
    ) -> ObjectReader {
        ObjectReader {
            runtime,
            chunks,
            current: Bytes::new(),
            describe,
        }
    }
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            // Called from the reader thread, never from a runtime worker, so blocking here
            // is allowed.
            match self.runtime.block_on(self.chunks.next()) {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => {
                    return Err(std::io::Error::other(format!(
                        "{}: {}",
                        self.describe,
                        crate::secrets::redact(&e.to_string())
                    )));
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
