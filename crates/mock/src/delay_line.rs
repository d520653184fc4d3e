//! A delay line in front of each connection: the network the mock itself
//! cannot have on loopback.
//!
//! ```text
//! client ──TCP── [ client→server: held until accept + RTT, then +RTT/2 ] ──▶ TLS? ─▶ hyper
//!        ◀────── [ server→client: +RTT/2                              ] ◀──
//! ```
//!
//! Every chunk read from one side is written to the other RTT/2 after it
//! arrived, in order, so a request on a kept-alive connection costs one
//! RTT plus the server's own delay. A new connection also pays one RTT
//! before its first byte gets through: TCP's handshake, which user space
//! cannot delay (the kernel has already answered the SYN when `accept`
//! returns), so the client's first bytes wait for it here instead. A TLS
//! handshake through the line then costs its real round trips. There is
//! no bandwidth limit and no loss; bytes in transit are held in memory.
//! Waits use the mock's high-resolution timer, as answers' delays do.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::net::TcpStream;

use crate::Shared;

/// Bytes the in-memory end of a connection buffers.
const PIPE_BYTES: usize = 256 * 1024;

/// The largest chunk read at once.
const CHUNK_BYTES: usize = 16 * 1024;

/// Puts a delay line of round trip `rtt` between `socket` and the stream
/// returned, which the server then serves as if it were the socket.
pub(crate) fn wrap(socket: TcpStream, rtt: Duration, shared: &Arc<Shared>) -> DuplexStream {
    let accepted = Instant::now();
    let (near, far) = tokio::io::duplex(PIPE_BYTES);
    let (socket_in, socket_out) = socket.into_split();
    let (far_in, far_out) = tokio::io::split(far);
    let half = rtt / 2;
    tokio::spawn(pump(
        socket_in,
        far_out,
        half,
        accepted + rtt,
        Arc::clone(shared),
    ));
    tokio::spawn(pump(far_in, socket_out, half, accepted, Arc::clone(shared)));
    near
}

/// Copies `from` to `to`, each chunk `delay` after it arrived (and never
/// before `not_before` + `delay`); closes `to` when `from` ends.
async fn pump<R, W>(
    mut from: R,
    mut to: W,
    delay: Duration,
    not_before: Instant,
    shared: Arc<Shared>,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (send, mut receive) = tokio::sync::mpsc::unbounded_channel::<(Instant, Option<Bytes>)>();
    let reading = async move {
        let mut buffer = vec![0u8; CHUNK_BYTES];
        loop {
            let n = from.read(&mut buffer).await.unwrap_or(0);
            let due = Instant::now().max(not_before) + delay;
            let chunk = buffer
                .get(..n)
                .filter(|c| !c.is_empty())
                .map(Bytes::copy_from_slice);
            let end = chunk.is_none();
            if send.send((due, chunk)).is_err() || end {
                break;
            }
        }
    };
    let writing = async move {
        while let Some((due, chunk)) = receive.recv().await {
            shared.timer.sleep_until(due, delay).await;
            match chunk {
                Some(bytes) => {
                    if to.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                None => {
                    let _ = to.shutdown().await;
                    break;
                }
            }
        }
    };
    tokio::join!(reading, writing);
}
