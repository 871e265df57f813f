#!/usr/bin/env bash
# The test command of the README: installs what is missing, checks formatting, runs the unit and
# integration tests, and checks the default pattern set. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
swift format lint --strict --recursive --parallel Sources Tests Benchmarks Package.swift
# swift test's exit code is the verdict: an XCTest failure can still end on a "passed" line.
swift test
swift run bouncetail check-patterns
