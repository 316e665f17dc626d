# SPDX-License-Identifier: GPL-2.0
# Sourced by ci/stages/*: shared paths plus kselftest's KTAP helpers.  Each
# stage prints KTAP on stdout (one line per check), diagnostics as "# ...".
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
STAGE=${0##*/}
# A stage's help needs neither a kernel tree nor the cache: it prints and exits.
case ${1:-} in -h|--help) return 0 ;; esac
require_kernel
lock_cache
# shellcheck source=/dev/null
. "$KERNEL_DIR/tools/testing/selftests/kselftest/ktap_helpers.sh"

# Every check reported, for stage_end: kselftest's __ktap_test, recording.
KTAP_REPORTED=() KTAP_LAST=
eval "__ktap_test_print() $(declare -f __ktap_test | tail -n +2)"
__ktap_test() { KTAP_REPORTED+=("$2") KTAP_LAST=$1; __ktap_test_print "$@"; }
# ktap_passed: the last check reported passed.
ktap_passed() { [ "$KTAP_LAST" = ok ]; }

# stage_expect PREFIX...: checks the stage must report whatever path it takes;
# stage_end fails each PREFIX that begins no reported check's description, so
# a check that a wrong branch or an early "continue" skipped is not just
# missing from a plan counted from what ran.
STAGE_EXPECT=()
stage_expect() { STAGE_EXPECT+=("$@"); }

# stage_end: a failure for each expected check that did not report, then the
# plan and the totals; exits.
stage_end() {
	local want got
	for want in "${STAGE_EXPECT[@]}"; do
		for got in "${KTAP_REPORTED[@]}"; do
			[[ $got == "$want"* ]] && continue 2
		done
		ktap_test_fail "$want (expected, did not report)"
	done
	ktap_set_plan $((KTAP_TESTNO - 1))
	ktap_finished
}

STAGE_LOG_DIR=$LOG_DIR/$STAGE
mkdir -p "$STAGE_LOG_DIR"

# bpf_tool_output TOOL: the JSON lines a BPF tool wrote in the guest, or fail
# saying why there are none (not run, not attached).
bpf_tool_output() {
	local err=$STAGE_LOG_DIR/$1.err
	[ -e "$err" ] || { echo "$1 did not run in the guest"; return 1; }
	grep -q '^Tracing' "$err" || { echo "$1 did not attach:"; cat "$err"; return 1; }
	cat "$STAGE_LOG_DIR/$1.json"
}

# b4_from_suite SUITE: a directory holding SUITE's b4 package unpacked
# (DIR/usr/bin/b4), downloaded once into the cache; the installed b4 stays
# bookworm's.  b4 is pure Python with the same dependencies in bookworm,
# trixie and sid, so the unpacked copy runs on Debian 12.
b4_from_suite() {
	local d=$CACHE_DIR/b4-$1 deb
	if [ ! -x "$d/usr/bin/b4" ]; then
		mkdir -p "$d.deb"
		(cd "$d.deb" && apt-get download -q "b4/$1" >&2) ||
			{ echo "cannot download b4/$1 (run scripts/deps)" >&2; return 1; }
		deb=$(ls -t "$d.deb"/b4_*.deb | head -n1)
		rm -rf "$d" && dpkg-deb -x "$deb" "$d"
	fi
	echo "$d"
}

# ktap_check NAME CMD...: one KTAP line for CMD; on failure its output is shown.
# A check that took 10 s or more says how long, to find where a stage's time
# goes.
ktap_check() {
	local name=$1 out start=$SECONDS rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ $((SECONDS - start)) -lt 10 ] || ktap_print_msg "took $((SECONDS - start)) s: $name"
	if [ $rc -eq 0 ]; then
		ktap_test_pass "$name"
	else
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/# /'
		ktap_test_fail "$name"
	fi
}

# ktap_results FORMAT FILE...: one KTAP line per test case in FILE (see
# ci/parse-results).  A skip counts as a skip only when ci/expected-skips
# states why that test may skip here; any other skip is a failure, so a
# missing device or config option cannot pass silently.  A parser that fails
# or finds nothing is a failure too.
ktap_results() {
	local status name detail reason out
	[ -s "$2" ] || { ktap_test_fail "$(basename "$2"): no output"; return; }
	if ! out=$("$REPO_DIR/ci/parse-results" "$@" 2>&1) || [ -z "$out" ]; then
		ktap_print_msg "ci/parse-results $1 found no result: ${out:-no output}"
		ktap_test_fail "$(basename "$2"): results parsed"
		return
	fi
	while IFS=$'\t' read -r status name detail; do
		case $status in
		PASS) ktap_test_pass "$name" ;;
		FAIL) [ -z "$detail" ] || ktap_print_msg "$name: $detail"
		      ktap_test_fail "$name" ;;
		SKIP) reason=$(expected_skip "$name")
		      if [ -n "$reason" ]; then
			      ktap_test_skip "$name ($reason)"
		      else
			      ktap_print_msg "$name skipped without a stated reason in ci/expected-skips: $detail"
			      ktap_test_fail "$name"
		      fi ;;
		esac
	done <<<"$out"
}

# expected_skip NAME: the reason ci/expected-skips gives for NAME, if any;
# a pattern "ARCH/NAME" holds only in the stage whose $arch is ARCH.
expected_skip() {
	local pat reason
	while IFS=$'\t' read -r pat reason; do
		case $pat in ''|'#'*) continue ;; esac
		# shellcheck disable=SC2053 # glob match intended
		[[ $1 == $pat || ${arch:-}/$1 == $pat ]] &&
			{ echo "$reason"; return 0; }
	done <"$REPO_DIR/ci/expected-skips"
	return 0
}

# suites_verdict ARCH DIR SUITE...: one KTAP line per suite of
# scripts/run-suites' DIR/suites.tsv, from its last attempt: it ran to its
# end with no splat (its own results are judged apart).  A suite that passed
# only on its retry is a pass, and a "# FLAKY" line says what its first
# attempt did.  Each SUITE chosen must have reported (stage_end fails the
# ones missing).
suites_verdict() {
	local tsv=$2/suites.tsv s
	[ ! -s "$2/times.tsv" ] ||
		awk -F'\t' '{ printf "# %s %s: %s s in the guest (attempt %s)\n", a, $1, $3, $2 }' \
			a="$1" "$2/times.tsv"
	for s in "${@:3}"; do
		stage_expect "$1 $s: ran to its end"
	done
	[ -s "$tsv" ] || { ktap_test_fail "$1: suites ran (no $tsv)"; return; }
	# Fields split at \037: tabs would merge an empty field into the next.
	while IFS=$'\037' read -r suite st detail first; do
		case $st in
		pass|fail)
			[ -z "$first" ] || [ "$st" != pass ] ||
				echo "# FLAKY $1 $suite: attempt 1: $first; passed on retry"
			ktap_test_pass "$1 $suite: ran to its end, no splat" ;;
		*)	ktap_print_msg "$1 $suite: $st: $detail"
			[ -z "$first" ] || ktap_print_msg "$1 $suite: attempt 1: $first"
			ktap_test_fail "$1 $suite: ran to its end, no splat" ;;
		esac
	done < <(awk -F'\t' '
		!($1 in first) { order[n++] = $1; first[$1] = $3 " " $5 }
		{ last[$1] = $3; detail[$1] = $5; tries[$1] = $2 }
		END {
			for (i = 0; i < n; i++) {
				s = order[i]
				printf "%s\037%s\037%s\037%s\n", s, last[s], detail[s],
				       (tries[s] > 1 ? first[s] : "")
			}
		}' "$tsv")
}

# ksft_combine DIR SUITE...: one run_kselftest.sh output for the ksft:
# suites, from each program's DIR/ksft-*.tap, with a plan of every program
# chosen; the programs also go to DIR/kselftest-list.txt.  A program that
# never reported is missing from it, and parse-results then says so.
ksft_combine() {
	local dir=$1 s p f
	shift
	: >"$dir/kselftest-list.txt"
	for s; do
		case $s in ksft:*) echo "${s#ksft:}" >>"$dir/kselftest-list.txt" ;; esac
	done
	echo "TAP version 13"
	echo "1..$(grep -c . "$dir/kselftest-list.txt")"
	while read -r p; do
		f=$dir/ksft-$(echo "$p" | tr : -).tap
		[ ! -f "$f" ] || sed -e '1{/^TAP version/d}' -e '/^1\.\.[0-9]*$/d' "$f"
	done <"$dir/kselftest-list.txt"
}

# kunit_results LOG: KUnit results from a console log via kunit.py parse.
kunit_results() {
	local json=$STAGE_LOG_DIR/kunit.json
	python3 "$KERNEL_DIR/tools/testing/kunit/kunit.py" parse --json="$json" "$1" \
		>"$STAGE_LOG_DIR/kunit.txt" 2>&1 || true
	sed -n '/Testing complete/p' "$STAGE_LOG_DIR/kunit.txt" | sed 's/^/# kunit: /'
	ktap_results kunit "$json"
}
