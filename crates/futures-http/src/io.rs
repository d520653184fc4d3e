//! hyper's I/O traits over a futures-io [`Stream`], without zeroing hyper's
//! read buffer on every read.
//!
//! hyper hands a read an uninitialised buffer (8 KiB and up); futures-io's
//! `poll_read` wants an initialised `&mut [u8]`. The usual adapter
//! (`smol-hyper`'s `FuturesIo`) zeroes the whole buffer before every read,
//! the reads that find nothing waiting included. Measured with callgrind
//! over 2000 titles at C = 10 against a mock with no delay, that zeroing
//! was 42 % of the `smol` client's instructions: about 6 reads a request,
//! 8 KiB zeroed each time, for answers of about 1.5 KiB. A cost of the
//! adapter, not of the runtime, charged to the three strategies on this
//! client and not to `tokio` (reqwest reads into tokio's `ReadBuf`, which
//! needs no zeroing).
//!
//! [`HyperIo`] reads into a buffer initialised once per thread and copies
//! what arrived into hyper's: one copy of the bytes actually read, and no
//! `unsafe`.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_lite::{AsyncRead, AsyncWrite};
use hyper::rt::ReadBufCursor;

use crate::Stream;

/// The most one read takes from the socket: twice hyper's first read
/// buffer, so that hyper's own read strategy still decides the size.
const SCRATCH_BYTES: usize = 16 * 1024;

thread_local! {
    /// Each thread's read buffer, zeroed once when the thread first reads.
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH_BYTES].into_boxed_slice());
}

/// A [`Stream`] as hyper's `Read` and `Write`.
pub(crate) struct HyperIo(pub(crate) Box<dyn Stream>);

impl HyperIo {
    fn read_into(
        &mut self,
        cx: &mut Context<'_>,
        scratch: &mut [u8],
        buf: &mut ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let want = buf.remaining().min(scratch.len());
        let n = match Pin::new(&mut self.0).poll_read(cx, &mut scratch[..want]) {
            Poll::Ready(Ok(n)) => n,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        buf.put_slice(&scratch[..n]);
        Poll::Ready(Ok(()))
    }
}

impl hyper::rt::Read for HyperIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => this.read_into(cx, &mut scratch, &mut buf),
            // Only if a stream's own read reached this adapter again on
            // the same thread: correct, at the old cost.
            Err(_) => this.read_into(cx, &mut vec![0; SCRATCH_BYTES], &mut buf),
        })
    }
}

impl hyper::rt::Write for HyperIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::rt::{Read, ReadBuf};

    /// Everything a stream holds comes through, byte-exact, in reads no
    /// larger than the scratch buffer, whatever size hyper offers.
    #[test]
    fn reads_arrive_byte_exact_across_the_scratch_size() {
        let sent: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
        let mut io = HyperIo(Box::new(futures_lite::io::Cursor::new(sent.clone())));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut received = Vec::new();
        let mut reads = 0;
        loop {
            let mut storage = vec![0u8; 3 * SCRATCH_BYTES];
            let mut buf = ReadBuf::new(&mut storage);
            match Pin::new(&mut io).poll_read(&mut cx, buf.unfilled()) {
                Poll::Ready(Ok(())) => {}
                other => panic!("a cursor read is ready and succeeds: {other:?}"),
            }
            let filled = buf.filled();
            assert!(filled.len() <= SCRATCH_BYTES);
            if filled.is_empty() {
                break;
            }
            received.extend_from_slice(filled);
            reads += 1;
            assert!(reads <= sent.len(), "{reads} reads: the reads do not end");
        }
        assert_eq!(received, sent);
        assert_eq!(reads, sent.len().div_ceil(SCRATCH_BYTES));
    }
}
