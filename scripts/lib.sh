# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the scripts in this directory.  Source it; do not run it.
#
# Every path a script writes outside the clone lives under $CACHE_DIR so that a
# fresh clone on the same machine (as CI makes) reuses the kernel tree, build
# directories and ccache.  Nothing under $CACHE_DIR is ever the only copy of
# the series: patches/ and series in the clone are.

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# CI may run with a minimal environment.
HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
CACHE_DIR=${IOMMU_SERIES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommu-series}
KERNEL_DIR=${KERNEL_DIR:-$CACHE_DIR/linux}
DOWNLOAD_DIR=$CACHE_DIR/downloads
LOG_DIR=${LOG_DIR:-$CACHE_DIR/logs}
export CCACHE_DIR=${CCACHE_DIR:-$CACHE_DIR/ccache}

# shellcheck source=../base.conf
. "$REPO_DIR/base.conf"

log()  { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
warn() { printf '%s: WARNING: %s\n' "${0##*/}" "$*" >&2; }
die()  { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# usage_error MSG: print MSG and the script's usage to stderr, exit 2.
usage_error() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	usage >&2
	exit 2
}

# lock_cache: hold an exclusive lock on $CACHE_DIR for the rest of this
# process, its children included: two clones on one machine share the kernel
# tree, the build directories and the logs.  A second run waits, saying so.
lock_cache() {
	[ -z "${IOMMU_SERIES_LOCKED:-}" ] || return 0
	mkdir -p "$CACHE_DIR"
	exec 9>>"$CACHE_DIR/lock"
	if ! flock -n 9; then
		log "another run holds $CACHE_DIR/lock; waiting for it"
		flock 9
	fi
	export IOMMU_SERIES_LOCKED=$$
}

# check_arch ARCH: one the harness builds and boots, or a usage error (exit 2).
check_arch() {
	case $1 in
	x86_64|arm64) ;;
	*) usage_error "unknown architecture '$1' (expected x86_64 or arm64)" ;;
	esac
}

build_dir()  { echo "$CACHE_DIR/build-$1"; }
# make_jobs: make's -j for every build of the harness: $JOBS, or nproc + 1.
make_jobs() { echo "${JOBS:-$(($(nproc) + 1))}"; }
cross_compile() { [ "$1" = arm64 ] && echo aarch64-linux-gnu- || true; }

# The base commit of the kernel tree: its only root commit.
kernel_base() {
	git -C "$KERNEL_DIR" rev-parse -q --verify series-base 2>/dev/null && return

	git -C "$KERNEL_DIR" rev-list --max-parents=0 HEAD 2>/dev/null | tail -n1
}

require_kernel() {
	[ -d "$KERNEL_DIR/.git" ] && [ -n "$(kernel_base)" ] ||
		die "no kernel tree at $KERNEL_DIR: run scripts/fetch-base first"
}

# Patch files named in series, in order (comments and blank lines dropped).
series_patches() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "${1:-$REPO_DIR/series}" |
		awk '{print $1}'
}

# format_series TREE OUTDIR: the commits since series-base in TREE as patch
# files.  --zero-commit and --no-signature keep the files identical however
# often they are regenerated, on whichever machine; patches stay unnumbered
# so inserting one does not rewrite every subject.
format_series() {
	git -C "$1" format-patch -q --zero-commit --no-signature -N \
		-o "$2" series-base..HEAD >/dev/null
}

# git_id: identity for commits the harness makes in a kernel tree.
git_id() {
	git -C "$1" config user.name >/dev/null 2>&1 ||
		git -C "$1" config user.name 'iommu-series harness'
	git -C "$1" config user.email >/dev/null 2>&1 ||
		git -C "$1" config user.email 'iommu-series@localhost'
}

# check_tree: a scratch worktree of the kernel tree for checks that must not
# disturb the developer's tree (detached; reset by whoever uses it).
check_tree() {
	local wt=$CACHE_DIR/linux-check
	if ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		rm -rf "$wt"
		git -C "$KERNEL_DIR" worktree prune
		git -C "$KERNEL_DIR" worktree add -q --detach "$wt" series-base >&2
	fi
	echo "$wt"
}
