# Sourced by the upgrade-fixture scripts (make-upgrade-fixture.sh, make-v4-fixture.sh): the debug binary
# of an earlier commit, built once in /tmp/bouncetail-REV from `git archive` (slow; set OLD_BIN to reuse one).
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
