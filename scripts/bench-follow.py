#!/usr/bin/env python3
"""Follow-mode figures of a running `bouncetail run` (driven by scripts/bench-follow.sh).

    bench-follow.py PID LIVE_LOG STATE_DB SOURCE_LOG [--rate LINES_PER_S] [--seconds S] [--samples N]
                    [--idle S] [--messages N] [--cap N]
    bench-follow.py PID LIVE_LOG STATE_DB SOURCE_LOG --after-restart STARTED_EPOCH_S

Phases, in order, against the daemon PID that follows LIVE_LOG (start_at = "beginning") into STATE_DB:

1. latency: appends one message's lines at a time (from SOURCE_LOG, a generated Postfix log) with one
   write(2), then polls the committed offset (source_positions, committed in the transaction of the
   lines' events) every 0.5 ms until it covers the write: append -> committed, p50/p90/p99/max.
2. rate: appends SOURCE_LOG's lines at LINES_PER_S for S seconds in 10 ms steps; the daemon's CPU time
   (utime+stime of all its threads, /proc/PID/stat) over the phase, per 1,000 lines/s of live log.
3. idle: nothing appended for S seconds: CPU % over the window; RSS (VmRSS) at its end.
4. in flight: appends N messages that enter the queue and never finish (cleanup message-id, two
   X-Listmonk headers, qmgr from=), waits until they are committed, and reports RSS and the tracked
   messages (tracker_state rows that are messages, not recent attempts) beside the idle RSS, the peak RSS
   (VmHWM: the eviction's sort, SQLite's cache) and the daemon's CPU time for the burst. CAP is the
   daemon's `tracker.state_max_messages`, for the summary only.

With --after-restart (the daemon PID was started at STARTED_EPOCH_S on the state database the phases above
left): appends one message and reports the seconds from the start until it is committed (start-up, the
tracker_state rows loaded back, the first commit), the CPU time the process took for that, and its RSS and
peak RSS then; and the tracker_state rows and bytes it had to load.

Prints `name value` lines and a human summary; asserts nothing.
"""
import argparse
import os
import random
import sqlite3
import statistics
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class Committed:
    """The largest committed file offset in the state database (read-only, WAL: never blocks the writer)."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, isolation_level=None)

    def offset(self) -> int:
        while True:
            try:
                row = self.db.execute(
                    "SELECT max(CASE WHEN offset < 0 THEN -1 - offset ELSE offset END) FROM source_positions "
                    "WHERE source_id LIKE 'file:%'").fetchone()
                return row[0] or 0
            except sqlite3.OperationalError:
                time.sleep(0.001)

    def tracked_messages(self) -> int:
        return self.db.execute("SELECT count(*) FROM tracker_state WHERE key NOT LIKE '%|~%'").fetchone()[0]

    def tracker_rows(self) -> tuple:
        """All tracker_state rows (messages and recent attempts) and their key + value bytes."""
        return self.db.execute(
            "SELECT count(*), coalesce(sum(length(key) + length(value)), 0) FROM tracker_state").fetchone()


def wait_committed(c: Committed, size: int, timeout: float, step: float = 0.0005) -> float:
    """Seconds until the committed offset reaches `size` (or the timeout)."""
    start = time.perf_counter()
    while c.offset() < size:
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"bench-follow: the daemon did not commit offset {size} within {timeout} s")
        time.sleep(step)
    return time.perf_counter() - start


def messages(source: str):
    """The source log as one message per item (lines up to and including a qmgr `removed` or status line)."""
    with open(source, "rb") as f:
        group = []
        for line in f:
            group.append(line)
            if b" removed\n" in line[-10:] or len(group) >= 14:
                yield b"".join(group)
                group = []
    if group:
        yield b"".join(group)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pid", type=int)
    ap.add_argument("live")
    ap.add_argument("state")
    ap.add_argument("source")
    ap.add_argument("--rate", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--idle", type=float, default=60)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--cap", type=int, default=200_000)
    ap.add_argument("--after-restart", type=float, default=None)
    a = ap.parse_args()
    pid = a.pid
    if a.after_restart is not None:
        after_restart(a)
        return
    fd = os.open(a.live, os.O_WRONLY | os.O_APPEND)
    size = os.fstat(fd).st_size
    c = Committed(a.state)
    wait_committed(c, size, 60)
    out = {}

    # 1. Latency.
    gen = messages(a.source)
    lat = []
    rng = random.Random(7)
    for _ in range(a.samples):
        chunk = next(gen)
        t0 = time.perf_counter()
        os.write(fd, chunk)
        size += len(chunk)
        while c.offset() < size:
            time.sleep(0.0005)
        lat.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.02 + rng.random() * 0.03)
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]

    out["latency_ms_p50"] = pct(50)
    out["latency_ms_p90"] = pct(90)
    out["latency_ms_p99"] = pct(99)
    out["latency_ms_max"] = lat[-1]

    # 2. CPU per 1,000 lines/s at a steady rate.
    lines = []
    for m in gen:
        lines.extend(m.splitlines(keepends=True))
        if len(lines) >= a.rate * a.seconds + 1000:
            break
    per_step = max(1, a.rate // 100)
    cpu0 = cpu_seconds(pid)
    t0 = time.perf_counter()
    i = 0
    step = 0
    while time.perf_counter() - t0 < a.seconds and i < len(lines):
        chunk = b"".join(lines[i:i + per_step])
        i += per_step
        os.write(fd, chunk)
        size += len(chunk)
        step += 1
        delay = t0 + step * 0.01 - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    elapsed = time.perf_counter() - t0
    lag = wait_committed(c, size, 120)
    cpu = cpu_seconds(pid) - cpu0
    rate = i / elapsed
    out["rate_lines_per_s"] = rate
    out["rate_cpu_percent"] = 100 * cpu / (elapsed + lag)
    out["cpu_percent_per_1000_lines_per_s"] = out["rate_cpu_percent"] / (rate / 1000)
    out["rate_commit_lag_s"] = lag

    # 3. Idle.
    time.sleep(2)
    cpu0 = cpu_seconds(pid)
    t0 = time.perf_counter()
    time.sleep(a.idle)
    out["idle_cpu_percent"] = 100 * (cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
    out["idle_rss_mb"] = rss_mb(pid)

    # 4. Messages in flight.
    hexd = "0123456789ABCDEF"
    buf = []
    cpu0 = cpu_seconds(pid)
    t0 = time.perf_counter()
    for n in range(a.messages):
        q = "".join(rng.choice(hexd) for _ in range(11))
        # Now (UTC, as the daemon's config says): later than every line before, so that the tracker's age
        # limit (7 days after the newest line seen) does not evict them as it would a past date.
        st = time.strftime("%b %e %H:%M:%S", time.gmtime()) + " mx1"
        buf.append(
            f"{st} postfix/cleanup[4001]: {q}: message-id=<{n}.flight@lists.example>\n"
            f"{st} postfix/cleanup[4001]: {q}: info: header X-Listmonk-Campaign: 3d9c1724-11e2-4b8f-ab0d-549b6f03675a from localhost[127.0.0.1]; from=<bounces@lists.example> to=<u{n}@gmail.example> proto=ESMTP helo=<lists.example>\n"
            f"{st} postfix/cleanup[4001]: {q}: info: header X-Listmonk-Subscriber: {n:08d}-6cad-4a26-8d11-6ece1738f7d9 from localhost[127.0.0.1]; from=<bounces@lists.example> to=<u{n}@gmail.example> proto=ESMTP helo=<lists.example>\n"
            f"{st} postfix/qmgr[900]: {q}: from=<bounces@lists.example>, size=5000, nrcpt=1 (queue active)\n")
        if len(buf) >= 5000:
            chunk = "".join(buf).encode()
            os.write(fd, chunk)
            size += len(chunk)
            buf.clear()
            # Keep the daemon a little behind at most, like a burst a live MTA writes.
            if c.offset() < size - (64 << 20):
                wait_committed(c, size - (16 << 20), 600, 0.05)
    if buf:
        chunk = "".join(buf).encode()
        os.write(fd, chunk)
        size += len(chunk)
    wait_committed(c, size, 1800, 0.05)
    out["flight_ingest_s"] = time.perf_counter() - t0
    out["flight_cpu_s"] = cpu_seconds(pid) - cpu0
    time.sleep(2)
    out["flight_messages_appended"] = a.messages
    out["flight_messages_tracked"] = c.tracked_messages()
    out["flight_rss_mb"] = rss_mb(pid)
    out["flight_peak_rss_mb"] = rss_mb(pid, "VmHWM")
    os.close(fd)

    for k, v in out.items():
        print(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}")
    tracked = out["flight_messages_tracked"]
    per = (out["flight_rss_mb"] - out["idle_rss_mb"]) * 1e6 / max(tracked, 1)
    print(
        f"\nappend -> committed: p50 {out['latency_ms_p50']:.1f} ms, p99 {out['latency_ms_p99']:.1f} ms, "
        f"max {out['latency_ms_max']:.1f} ms ({a.samples} single-message appends)", file=sys.stderr)
    print(
        f"CPU at {rate:.0f} lines/s: {out['rate_cpu_percent']:.1f}% of a core = "
        f"{out['cpu_percent_per_1000_lines_per_s']:.2f}% per 1,000 lines/s", file=sys.stderr)
    print(f"idle: {out['idle_cpu_percent']:.3f}% CPU over {a.idle:.0f} s, RSS {out['idle_rss_mb']:.1f} MB", file=sys.stderr)
    capped = f" (fewer: the tracker's cap, {a.cap:,} messages, evicted the oldest)" if tracked < a.messages else ""
    print(
        f"in flight: {a.messages} messages appended, {tracked} tracked{capped}, RSS {out['flight_rss_mb']:.1f} MB, "
        f"peak {out['flight_peak_rss_mb']:.1f} MB (~{per:.0f} B per tracked message above idle; "
        f"{out['flight_ingest_s']:.1f} s and {out['flight_cpu_s']:.1f} s of CPU to ingest)", file=sys.stderr)


def after_restart(a) -> None:
    """Start-up on a state database full of messages in flight: until the first new line is committed."""
    fd = os.open(a.live, os.O_WRONLY | os.O_APPEND)
    size = os.fstat(fd).st_size
    c = Committed(a.state)
    rows, nbytes = c.tracker_rows()
    chunk = next(messages(a.source))
    os.write(fd, chunk)
    size += len(chunk)
    os.close(fd)
    wait_committed(c, size, 1800, 0.01)
    ready = time.time() - a.after_restart
    out = {
        "restart_tracker_rows": rows,
        "restart_tracker_mb": nbytes / 1e6,
        "restart_ready_s": ready,
        "restart_cpu_s": cpu_seconds(a.pid),
        "restart_rss_mb": rss_mb(a.pid),
        "restart_peak_rss_mb": rss_mb(a.pid, "VmHWM"),
    }
    for k, v in out.items():
        print(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}")
    print(
        f"restart: {rows} tracker_state rows ({nbytes / 1e6:.0f} MB of keys and JSON) loaded back; first new line "
        f"committed {ready:.1f} s after the start ({out['restart_cpu_s']:.1f} s of CPU); RSS "
        f"{out['restart_rss_mb']:.1f} MB, peak {out['restart_peak_rss_mb']:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
