//! What every benchmark of the workspace measures against, so that their
//! ratios are comparable: the same baseline, the same timer, the same
//! allocation counter.

use std::alloc::System;
use std::time::{Duration, Instant};

use cap::Cap;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::{NsReader, Reader};
use quick_xml::writer::Writer;

/// The baseline: quick-xml's raw namespace reader over `input`, reading
/// every event, resolving every element name and touching every attribute
/// value and text, building nothing. Returns a number so the work is not
/// optimized away.
pub fn baseline(input: &[u8]) -> usize {
    let text = std::str::from_utf8(input).unwrap();
    let mut r = NsReader::from_str(text);
    let mut n = 0usize;
    loop {
        match r.read_resolved_event().unwrap() {
            (ns, Event::Start(e) | Event::Empty(e)) => {
                n += e.local_name().as_ref().len()
                    + usize::from(matches!(ns, ResolveResult::Bound(_)));
                for a in e.attributes() {
                    n += a.unwrap().value.len();
                }
            }
            (_, Event::Text(t)) => n += t.len(),
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    n
}

/// The events of `xml` as quick-xml's plain reader sees them (nothing
/// trimmed, nothing expanded), owned: the input of [`baseline_write`].
/// Collect them once, outside the timed loop, from the document the writer
/// under test produced, so that both write the same document.
pub fn owned_events(xml: &[u8]) -> Vec<Event<'static>> {
    let mut r = Reader::from_reader(xml);
    let mut events = Vec::new();
    loop {
        match r.read_event().unwrap() {
            Event::Eof => break,
            e => events.push(e.into_owned()),
        }
    }
    events
}

/// The write baseline: quick-xml's raw `Writer` emitting `events` (from
/// [`owned_events`]) into a `Vec` of `capacity` bytes, with no escaping,
/// checking or namespace work beyond what the events already hold. Returns
/// the document, which for events read from a document is that document
/// byte for byte.
pub fn baseline_write(events: &[Event<'static>], capacity: usize) -> Vec<u8> {
    let mut w = Writer::new(Vec::with_capacity(capacity));
    for e in events {
        w.write_event(e.borrow()).unwrap();
    }
    w.into_inner()
}

/// Seconds per call of `f`: 50 calls to warm up, then batches of 20 until
/// `budget` has passed.
pub fn time_per_iter(f: &dyn Fn(), budget: Duration) -> f64 {
    for _ in 0..50 {
        f();
    }
    let start = Instant::now();
    let mut iters = 0u64;
    while start.elapsed() < budget {
        for _ in 0..20 {
            f();
        }
        iters += 20;
    }
    #[allow(clippy::cast_precision_loss)]
    let per = start.elapsed().as_secs_f64() / iters as f64;
    per
}

/// A lock for the tests of one binary that measure its global allocator:
/// the counters are global, so each such test holds this for its whole
/// run, and tests on parallel threads do not count each other's bytes
/// (building an input included).
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Bytes allocated in total and peak live bytes during one call of `f`,
/// counted by the bench binary's global allocator `alloc`.
pub fn allocations(alloc: &Cap<System>, f: &dyn Fn()) -> (usize, usize) {
    // `max_allocated` is the peak since the program started and cannot be
    // reset: reserve (without touching it) enough for the live bytes to
    // stand above every earlier peak, so that the peak reached during `f`
    // is `f`'s own.
    // The counters are read one at a time while other test threads
    // allocate: a read may run ahead of another, so differences saturate
    // instead of overflowing (once seen in a full run).
    let ballast: Vec<u8> =
        Vec::with_capacity(alloc.max_allocated().saturating_sub(alloc.allocated()) + 1);
    let live = alloc.allocated();
    let total = alloc.total_allocated();
    f();
    let result = (
        alloc.total_allocated().saturating_sub(total),
        alloc.max_allocated().saturating_sub(live),
    );
    drop(ballast);
    result
}

/// Asserts that `peak` live bytes, reached while reading `input_len` bytes,
/// stay under `multiple` times the input plus `fixed`, and prints the
/// ratio (shown with `--nocapture`).
#[allow(clippy::cast_precision_loss)]
pub fn assert_peak_within(
    what: &str,
    input_len: usize,
    peak: usize,
    multiple: usize,
    fixed: usize,
) {
    eprintln!(
        "{what}, {input_len} B: peak {peak} B, x{:.2}",
        peak as f64 / input_len as f64
    );
    assert!(
        peak <= multiple * input_len + fixed,
        "{what}: peak {peak} B for {input_len} B of input, over {multiple}x + {fixed} B"
    );
}
