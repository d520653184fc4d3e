//! One thread's executor and reactor: the least a thread needs to run the
//! shared hyper client as blocking code.
//!
//! A worker calls [`block_on`] with one title's future and nothing else
//! runs on its thread meanwhile, so the executor can be simple:
//!
//! - It polls the title's future and every task this thread spawned (the
//!   connection drivers of the thread's own connections, kept in a
//!   thread-local list across calls), all of them, on every turn. With one
//!   request and one connection per thread that is two futures a turn.
//! - When a poll wakes anything (hyper hands a request to its connection
//!   driver through a channel, on this same thread), it turns again.
//! - Otherwise the thread sleeps in one `poll(2)` on the sockets the
//!   futures found not ready, until one is, or until the nearest timer
//!   (the request's timeout, a retry's wait) is due. That `poll(2)` is
//!   where a `thread-pool` worker would sit in `recv()`: the thread is
//!   blocked, and the kernel wakes it when its answer arrives.
//!
//! [`Socket`] and [`Sleep`] tell the executor what they wait for by
//! registering it with this thread, not through the waker, so they work
//! only under this executor; they are private to this crate. Every wake-up
//! comes from this thread, a socket or a timer: nothing here is shared
//! between threads, so nothing is locked.

use std::cell::RefCell;
use std::future::Future;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::os::fd::AsFd;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};
use wikifetch_futures_http::{BoxFuture, Reactor, Stream, Task};

/// The longest one wait may last when no socket and no timer was
/// registered: only reached if a future waits on something this executor
/// does not know, and then it is polled again rather than never.
const FALLBACK_WAIT: Duration = Duration::from_millis(10);

thread_local! {
    /// The tasks this thread spawned and still runs: its connections' drivers.
    static TASKS: RefCell<Vec<Task>> = const { RefCell::new(Vec::new()) };
    /// What this thread's futures wait for, collected afresh on each turn.
    static WAITS: RefCell<Waits> = const { RefCell::new(Waits::new()) };
}

/// The sockets and the nearest deadline this thread's futures wait for.
struct Waits {
    sockets: Vec<(Arc<TcpStream>, PollFlags)>,
    deadline: Option<Instant>,
}

impl Waits {
    const fn new() -> Self {
        Self {
            sockets: Vec::new(),
            deadline: None,
        }
    }

    fn clear(&mut self) {
        self.sockets.clear();
        self.deadline = None;
    }

    /// Sleeps until a registered socket is ready or the deadline is due.
    fn wait(&self) {
        let timeout = match self.deadline {
            Some(deadline) => {
                // poll(2) counts whole milliseconds: round up, so that a
                // timer is never polled before it is due (a busy loop).
                let left = deadline.saturating_duration_since(Instant::now());
                let ms = left.as_micros().div_ceil(1000);
                PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
            }
            None if self.sockets.is_empty() => {
                PollTimeout::try_from(FALLBACK_WAIT).unwrap_or(PollTimeout::MAX)
            }
            None => PollTimeout::NONE,
        };
        let mut fds: Vec<PollFd<'_>> = self
            .sockets
            .iter()
            .map(|(socket, flags)| PollFd::new(socket.as_fd(), *flags))
            .collect();
        // An error (EINTR) or a timeout only means: poll everything again.
        let _ = nix::poll::poll(&mut fds, timeout);
    }
}

/// Spawns `task` on the calling thread: it runs whenever this thread is in
/// [`block_on`]. The shared client spawns each connection's driver so, on
/// the worker that opened the connection.
pub(crate) fn spawn(task: Task) {
    TASKS.with(|tasks| tasks.borrow_mut().push(task));
}

/// Set when anything is woken during a turn: then the executor turns again
/// at once instead of waiting for a socket.
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

/// Runs `future` to completion on the calling thread, with the tasks this
/// thread spawned, blocking the thread in `poll(2)` whenever nothing can
/// make progress.
pub(crate) fn block_on<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let woken = Arc::new(Woken(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&woken));
    let mut cx = Context::from_waker(&waker);
    loop {
        // A fresh turn: forget the last turn's wake-ups and waits.
        woken.0.store(false, Ordering::Release);
        WAITS.with(|waits| waits.borrow_mut().clear());
        // The title's future runs until it needs a socket or a timer, and
        // registers what it waits for.
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        // The connection drivers move bytes between socket and request.
        let spawned = run_tasks(&mut cx);
        // One future woke another on this thread: turn again at once.
        if spawned || woken.0.load(Ordering::Acquire) {
            continue;
        }
        // Nothing can go on: the thread blocks in `poll(2)` until a socket
        // is ready or the nearest timer (a timeout, a backoff) is due.
        WAITS.with(|waits| waits.borrow().wait());
    }
}

/// Polls every task of this thread once, dropping those that finished.
/// Returns whether a task spawned another meanwhile (not yet polled).
fn run_tasks(cx: &mut Context<'_>) -> bool {
    // Taken out of the thread-local while they run, so that a task may
    // spawn without a double borrow.
    let mut running = TASKS.with(|tasks| std::mem::take(&mut *tasks.borrow_mut()));
    running.retain_mut(|task| task.as_mut().poll(cx).is_pending());
    TASKS.with(|tasks| {
        let mut tasks = tasks.borrow_mut();
        let spawned = !tasks.is_empty();
        running.append(&mut tasks);
        *tasks = running;
        spawned
    })
}

fn register(socket: &Arc<TcpStream>, flags: PollFlags) {
    WAITS.with(|waits| waits.borrow_mut().sockets.push((Arc::clone(socket), flags)));
}

/// A non-blocking TCP socket whose reads and writes, when not ready,
/// register it for this thread's `poll(2)`.
struct Socket(Arc<TcpStream>);

impl Socket {
    fn attempt<T>(
        &self,
        flags: PollFlags,
        mut op: impl FnMut(&TcpStream) -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        loop {
            match op(&self.0) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    register(&self.0, flags);
                    return Poll::Pending;
                }
                result => return Poll::Ready(result),
            }
        }
    }
}

impl futures_lite::AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.attempt(PollFlags::POLLIN, |mut s| s.read(buf))
    }
}

impl futures_lite::AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.attempt(PollFlags::POLLOUT, |mut s| s.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.shutdown(Shutdown::Write))
    }
}

/// A timer that registers its deadline with this thread.
struct Sleep(Instant);

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.0 {
            return Poll::Ready(());
        }
        WAITS.with(|waits| {
            let mut waits = waits.borrow_mut();
            waits.deadline = Some(waits.deadline.map_or(self.0, |d| d.min(self.0)));
        });
        Poll::Pending
    }
}

/// Sockets and timers for [`block_on`]: a connection is made by a blocking
/// `connect` (the worker has nothing else to do meanwhile, as a ureq
/// worker has not), then used without blocking.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Local {
    /// How long a connect may take: `Config::timeout`.
    pub(crate) connect_timeout: Duration,
}

impl Reactor for Local {
    fn connect(&self, host: String, port: u16) -> BoxFuture<io::Result<Box<dyn Stream>>> {
        let timeout = self.connect_timeout;
        Box::pin(async move {
            let mut last = None;
            for address in (host.as_str(), port).to_socket_addrs()? {
                match TcpStream::connect_timeout(&address, timeout) {
                    Ok(tcp) => {
                        let _ = tcp.set_nodelay(true);
                        tcp.set_nonblocking(true)?;
                        return Ok(Box::new(Socket(Arc::new(tcp))) as Box<dyn Stream>);
                    }
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| {
                io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"))
            }))
        })
    }

    fn sleep(&self, wait: Duration) -> BoxFuture<()> {
        Box::pin(Sleep(Instant::now() + wait))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timer_wakes_the_thread_when_due() {
        let start = Instant::now();
        block_on(
            Local {
                connect_timeout: Duration::from_secs(1),
            }
            .sleep(Duration::from_millis(15)),
        );
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(15), "{took:?}");
        assert!(took < Duration::from_millis(500), "{took:?}");
    }

    #[test]
    fn a_socket_wakes_the_thread_when_its_bytes_arrive() {
        use futures_lite::{AsyncReadExt, AsyncWriteExt};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let echo = std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            let mut buf = [0; 5];
            peer.read_exact(&mut buf).unwrap();
            std::thread::sleep(Duration::from_millis(20));
            peer.write_all(&buf).unwrap();
        });
        let local = Local {
            connect_timeout: Duration::from_secs(1),
        };
        let echoed = block_on(async {
            let mut stream = local.connect("127.0.0.1".into(), port).await.unwrap();
            stream.write_all(b"hello").await.unwrap();
            let mut buf = [0; 5];
            stream.read_exact(&mut buf).await.unwrap();
            buf
        });
        assert_eq!(&echoed, b"hello");
        echo.join().unwrap();
    }

    #[test]
    fn spawned_tasks_run_while_the_thread_blocks_on_another_future() {
        let flag = Arc::new(AtomicBool::new(false));
        let set = Arc::clone(&flag);
        spawn(Box::pin(async move {
            set.store(true, Ordering::Release);
        }));
        block_on(futures_lite::future::poll_fn(|_| {
            if flag.load(Ordering::Acquire) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        assert!(
            TASKS.with(|tasks| tasks.borrow().is_empty()),
            "a finished task is dropped"
        );
    }
}
