# Sourced by the upgrade-fixture scripts (make-upgrade-fixture.sh, make-v4-fixture.sh, make-v5-fixture.sh): the
# debug binary of an earlier commit, built once in /tmp/bouncetail-REV from `git archive` (slow; set OLD_BIN to
# reuse one), the config the old binary backfills with, and the database folded into one file.
#
#   OLD_BIN=${OLD_BIN:-$(old_binary "$rev")}
old_binary() {
    local rev=$1
    local src=/tmp/bouncetail-$rev
    if [[ ! -x $src/.build/debug/bouncetail ]]; then
        rm -rf "$src"
        mkdir -p "$src"
        git archive "$rev" | tar -x -C "$src"
        # The build's progress goes to stderr: stdout is the path.
        (cd "$src" && PATH=/opt/swift/usr/bin:$PATH swift build --product bouncetail) >&2
    fi
    echo "$src/.build/debug/bouncetail"
}

# fixture_config WORK HOST: WORK/bt.toml, a local-store config with its state database at WORK/state.db, the
# embedded pattern set and nothing held for its age.
fixture_config() {
    cat > "$1/bt.toml" <<TOML
[general]
host_name = "$2"
time_zone = "UTC"
state_db = "$1/state.db"
[classifier]
patterns_dir = "/nonexistent"
override_dir = "/nonexistent"
[outbox]
hold_older_than = "36500d"
TOML
}

# fold_db DB: one self-contained file: the WAL folded in, free pages dropped.
fold_db() {
    python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
c.execute("PRAGMA journal_mode=DELETE")
c.execute("VACUUM")
c.close()
PY
}
