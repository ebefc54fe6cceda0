//! Where access-log lines go: one writer thread per destination, fed through
//! a bounded lock-free queue. A request only pushes its line (no lock, no
//! wake-up of the writer, which drains the queue every few milliseconds);
//! when the writer falls behind the line is dropped and counted, never waited for.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crossbeam_queue::ArrayQueue;

use crate::config::LogDestination;

/// Lines a destination may hold before new ones are dropped.
pub(crate) const QUEUE_LINES: usize = 16 * 1024;

/// How often the writer drains its queue: lines reach their destination
/// this late at most, and requests never pay for waking the writer.
const DRAIN_EVERY: Duration = Duration::from_millis(20);

/// Lines dropped because a writer fell behind, since the process started.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Every destination opened so far, shared by every config a reload compiles
/// (a file is opened once, and reopened on reload for log rotation).
static SINKS: OnceLock<Mutex<HashMap<LogDestination, Arc<Sink>>>> = OnceLock::new();

/// Access-log lines dropped because their writer fell behind.
pub fn dropped_lines() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// A destination's writer.
#[derive(Debug)]
pub(crate) struct Sink {
    lines: Arc<ArrayQueue<String>>,
    /// Rare requests to the writer (flush, reopen); lines never go here.
    control: Mutex<mpsc::Sender<Message>>,
}

enum Message {
    /// Write everything queued, then answer.
    Flush(SyncSender<()>),
    /// Open the file again (after rotation moved it), then answer.
    Reopen(SyncSender<()>),
}

impl Sink {
    /// The writer for `destination`, started (and its file opened) on first use.
    ///
    /// # Errors
    /// When the file cannot be opened for appending.
    pub(crate) fn for_destination(destination: &LogDestination) -> io::Result<Arc<Sink>> {
        let mut sinks = SINKS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(sink) = sinks.get(destination) {
            sink.reopen();
            return Ok(sink.clone());
        }
        let sink = Arc::new(Sink::start(Output::open(destination)?, QUEUE_LINES)?);
        sinks.insert(destination.clone(), sink.clone());
        Ok(sink)
    }

    /// A writer thread for `output` holding at most `queue` lines.
    fn start(output: Output, queue: usize) -> io::Result<Sink> {
        let lines = Arc::new(ArrayQueue::new(queue));
        let (control, receiver) = mpsc::channel();
        let queued = lines.clone();
        std::thread::Builder::new()
            .name("portcullis-access-log".to_owned())
            .spawn(move || write_lines(output, &queued, &receiver))?;
        Ok(Sink {
            lines,
            control: Mutex::new(control),
        })
    }

    /// Hands `line` to the writer; drops and counts it when the queue is full.
    pub(crate) fn send(&self, line: String) {
        if self.lines.push(line).is_err() {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn tell(&self, message: Message) -> bool {
        let control = self.control.lock().unwrap_or_else(|e| e.into_inner());
        control.send(message).is_ok()
    }

    /// Reopens the file (waiting briefly, so lines sent afterwards go to the new one).
    fn reopen(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if self.tell(Message::Reopen(done)) {
            let _ = wait.recv_timeout(Duration::from_secs(1));
        }
    }

    /// Waits (up to `timeout`) until everything queued so far is written.
    pub(crate) fn flush(&self, timeout: Duration) -> bool {
        let (done, wait) = mpsc::sync_channel(1);
        self.tell(Message::Flush(done)) && wait.recv_timeout(timeout).is_ok()
    }
}

/// Waits (up to `timeout` each) until every destination has written what it was given:
/// called before the process exits.
pub fn flush_all(timeout: Duration) {
    let sinks: Vec<Arc<Sink>> = match SINKS.get() {
        Some(sinks) => sinks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect(),
        None => return,
    };
    for sink in sinks {
        sink.flush(timeout);
    }
}

enum Output {
    Stdout,
    Stderr,
    File {
        path: PathBuf,
        file: BufWriter<File>,
    },
    /// Any writer (tests: one that blocks, to overload the queue).
    #[cfg(test)]
    Writer(Box<dyn Write + Send>),
}

impl Output {
    fn open(destination: &LogDestination) -> io::Result<Self> {
        Ok(match destination {
            LogDestination::Stdout => Output::Stdout,
            LogDestination::Stderr => Output::Stderr,
            LogDestination::File(path) => Output::File {
                file: BufWriter::new(append(path)?),
                path: path.clone(),
            },
        })
    }

    fn write(&mut self, line: &str) -> io::Result<()> {
        match self {
            Output::Stdout => io::stdout().lock().write_all(line.as_bytes()),
            Output::Stderr => io::stderr().lock().write_all(line.as_bytes()),
            Output::File { file, .. } => file.write_all(line.as_bytes()),
            #[cfg(test)]
            Output::Writer(writer) => writer.write_all(line.as_bytes()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout => io::stdout().flush(),
            Output::Stderr => io::stderr().flush(),
            Output::File { file, .. } => file.flush(),
            #[cfg(test)]
            Output::Writer(writer) => writer.flush(),
        }
    }

    fn reopen(&mut self) {
        if let Output::File { path, file } = self {
            let _ = file.flush();
            match append(path) {
                Ok(reopened) => *file = BufWriter::new(reopened),
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "cannot reopen the access log; still writing to the old file");
                }
            }
        }
    }
}

fn append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// The writer thread: every [`DRAIN_EVERY`] (or at once when told to flush
/// or reopen) writes what the queue holds and flushes, so lines reach the
/// destination promptly without a system call per line under load.
fn write_lines(mut output: Output, lines: &ArrayQueue<String>, control: &Receiver<Message>) {
    let mut failing = false;
    loop {
        let message = match control.recv_timeout(DRAIN_EVERY) {
            Ok(message) => Some(message),
            Err(RecvTimeoutError::Timeout) => None,
            // The sink is gone (only in tests: sinks live as long as the process).
            Err(RecvTimeoutError::Disconnected) => {
                drain(&mut output, lines, &mut failing);
                return;
            }
        };
        drain(&mut output, lines, &mut failing);
        match message {
            Some(Message::Flush(done)) => {
                let _ = done.send(());
            }
            Some(Message::Reopen(done)) => {
                output.reopen();
                let _ = done.send(());
            }
            None => {}
        }
    }
}

/// Writes every queued line, then flushes.
fn drain(output: &mut Output, lines: &ArrayQueue<String>, failing: &mut bool) {
    let mut wrote = false;
    while let Some(line) = lines.pop() {
        wrote = true;
        if let Err(error) = output.write(&line) {
            if !*failing {
                tracing::error!(%error, "cannot write the access log; lines are lost until it works again");
            }
            *failing = true;
            DROPPED.fetch_add(1, Ordering::Relaxed);
        } else {
            *failing = false;
        }
    }
    if wrote {
        let _ = output.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_reach_the_file_and_survive_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        let destination = LogDestination::File(path.clone());
        let sink = Sink::for_destination(&destination).unwrap();
        sink.send("one\n".to_owned());
        assert!(sink.flush(Duration::from_secs(5)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\n");

        // Rotation: the file is moved away; the next compile reopens it.
        let rotated = dir.path().join("access.log.1");
        std::fs::rename(&path, &rotated).unwrap();
        let again = Sink::for_destination(&destination).unwrap();
        assert!(Arc::ptr_eq(&sink, &again), "one writer per destination");
        again.send("two\n".to_owned());
        assert!(again.flush(Duration::from_secs(5)));
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "one\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
    }

    /// A writer that blocks until told to go on.
    struct Gate(mpsc::Receiver<()>, Arc<Mutex<Vec<u8>>>);

    impl Write for Gate {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let _ = self.0.recv();
            self.1.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_writer_behind_loses_lines_instead_of_blocking() {
        let (open, gate) = mpsc::channel();
        let written = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink::start(Output::Writer(Box::new(Gate(gate, written.clone()))), 4).unwrap();
        let before = dropped_lines();
        let started = std::time::Instant::now();
        // The writer takes the first line and blocks on it; four more fill the queue.
        for i in 0..20 {
            sink.send(format!("{i}\n"));
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "send never waits"
        );
        let dropped = dropped_lines() - before;
        assert!(
            (15..=16).contains(&dropped),
            "dropped {dropped} of 20 with room for 4 + 1"
        );
        drop(open);
        assert!(sink.flush(Duration::from_secs(5)));
        let text = String::from_utf8(written.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count() as u64, 20 - dropped);
        assert!(text.starts_with("0\n1\n"), "{text}");
    }

    #[test]
    fn an_unwritable_destination_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("access.log");
        assert!(Sink::for_destination(&LogDestination::File(path)).is_err());
    }
}
