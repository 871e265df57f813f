#!/usr/bin/env python3
"""CPU time of each thread of a process, for scripts/bench-backfill.sh: which thread is the critical path.

    scripts/thread-cpu.py PARENT_PID NAME

Waits (up to 10 s) for a process called NAME among PARENT_PID's descendants, then polls
/proc/PID/task/*/schedstat (nanoseconds on the CPU) every 50 ms until it exits, and prints one line:
the CPU seconds of each thread that used more than 0.05 s, busiest first, as `comm=seconds` (comm is the
thread's name, which threads inherit from the one that started them unless they set their own).
A thread's last 50 ms before it ends can be missed (its figures vanish with it); the process's own total
is in /usr/bin/time's figure. Prints nothing when the process was not found.
"""
import os
import sys
import time


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def find(parent, name):
    todo = [parent]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == name and pid != parent:
                    return pid
        except OSError:
            pass
        todo += children(pid)
    return None


def main():
    parent, name = int(sys.argv[1]), sys.argv[2][:15]
    pid = None
    deadline = time.monotonic() + 10
    while pid is None and time.monotonic() < deadline and os.path.exists(f"/proc/{parent}"):
        pid = find(parent, name)
        if pid is None:
            time.sleep(0.005)
    if pid is None:
        return
    seen = {}
    while True:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            break
        if not tids:
            break
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    ns = int(f.read().split()[0])
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    comm = f.read().strip()
            except (OSError, ValueError, IndexError):
                continue
            seen[tid] = (comm, ns)
        time.sleep(0.05)
    busy = sorted((ns for ns in seen.values() if ns[1] > 5e7), key=lambda v: -v[1])
    print(" ".join(f"{comm}={ns / 1e9:.2f}" for comm, ns in busy))


if __name__ == "__main__":
    main()
