# SPDX-License-Identifier: GPL-2.0
# Sourced by ci/stages/*: shared paths plus kselftest's KTAP helpers.  Each
# stage prints KTAP on stdout (one line per check), diagnostics as "# ...".
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
require_kernel
# shellcheck source=/dev/null
. "$KERNEL_DIR/tools/testing/selftests/kselftest/ktap_helpers.sh"

STAGE=${0##*/}
STAGE_LOG_DIR=$LOG_DIR/$STAGE
mkdir -p "$STAGE_LOG_DIR"

# diag CMD...: run CMD, its output prefixed "# " so KTAP parsers skip it.
diag() {
	"$@" 2>&1 | sed 's/^/# /'
	return "${PIPESTATUS[0]}"
}

# ktap_check NAME CMD...: one KTAP line for CMD; on failure its output is shown.
ktap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_test_pass "$name"
	else
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/# /'
		ktap_test_fail "$name"
	fi
}

# tap_merge PREFIX FILE: re-emit the results of a (K)TAP/kselftest log as
# our own lines, so the summary counts each test case; a log without any
# result line, or one that ends early, is a failure.
tap_merge() {
	local prefix=$1 file=$2 n=0 line res name dir
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"ok "*|"not ok "*) ;;
		*) continue ;;
		esac
		res=${line%% [0-9]*}
		name=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ (- )?//; s/ # .*//')
		dir=$(echo "$line" | sed -nE 's/.* # (SKIP|XFAIL|TODO).*/\1/p')
		n=$((n + 1))
		if [ "$res" = "not ok" ]; then
			ktap_test_fail "$prefix: $name"
		elif [ "$dir" = SKIP ]; then
			ktap_test_skip "$prefix: $name"
		else
			ktap_test_pass "$prefix: $name"
		fi
	done < <(grep -E '^(not )?ok [0-9]+' "$file" 2>/dev/null || true)
	[ "$n" -gt 0 ] || ktap_test_fail "$prefix: no results in $(basename "$file")"
}
