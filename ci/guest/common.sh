# SPDX-License-Identifier: GPL-2.0
# Guest-side helpers (busybox sh), sourced by the per-machine guest scripts.

# pci_find VENDOR DEVICE: BDF of the first PCI function with these IDs.
pci_find() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ] &&
			{ basename "$d"; return 0; }
	done
	return 1
}

# vfio_bind BDF: hand the device to vfio-pci.
vfio_bind() {
	d=/sys/bus/pci/devices/$1
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo vfio-pci >"$d/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = vfio-pci ]
}

# trace_start [-o NAME] TOOL ARGS...: start a BPF tool writing JSON to
# NAME.json (NAME, a shell identifier, defaults to TOOL) and wait until it
# has attached.  The output goes to /results at trace_stop, so a tool may run
# across suites (dump_results takes only what is in /results).  A tool that
# does not attach is only reported: the test still runs, and the host's
# check of the tool's output (bpf_tool_output in ci/lib.sh) fails.
trace_start() {
	name=
	[ "$1" != -o ] || { name=$2; shift 2; }
	tool=$1
	name=${name:-$tool}
	shift
	mkdir -p /tmp/trace
	"/opt/bin/$tool" "$@" >"/tmp/trace/$name.json" 2>"/tmp/trace/$name.err" &
	eval "${name}_pid=$!"
	i=0
	while ! grep -q '^Tracing' "/tmp/trace/$name.err"; do
		i=$((i + 1))
		if [ $i -ge 600 ] || ! kill -0 "$(eval echo \$"${name}"_pid)" 2>/dev/null; then
			echo "$name ($tool) did not attach:"
			cat "/tmp/trace/$name.err"
			kill "$(eval echo \$"${name}"_pid)" 2>/dev/null || true
			eval "${name}_pid="
			cp "/tmp/trace/$name.json" "/tmp/trace/$name.err" /results/
			return 0
		fi
		sleep 0.1
	done
}

# trace_stop NAME: SIGINT the tool started as NAME, wait for it to print its
# summary, and move its output to /results.
trace_stop() {
	pid=$(eval echo \$"${1}"_pid)
	[ -n "$pid" ] || return 0
	kill -INT "$pid"
	wait "$pid" || echo "$1 exited with status $?"
	mv "/tmp/trace/$1.json" "/tmp/trace/$1.err" /results/
}

# debug_locks: 1 while lockdep still checks, 0 after its first report, empty
# without lockdep.
debug_locks() {
	sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats 2>/dev/null
}

# dump_results: send what the suite left in /results to the host now, so a
# later crash of this boot cannot lose it (series-dump, scripts/guest-dump),
# and remove it.  output.txt stays for guest-init.
dump_results() {
	for f in /results/*; do
		[ -f "$f" ] && [ "$f" != /results/output.txt ] || continue
		series-dump "$f"
		rm -f "$f"
	done
}

# shmem_thp COLLECTION:PROGRAM: back MAP_SHARED anonymous memory with 2 MiB
# folios for the vfio programs only.  vfio_pci_driver_test maps and pins
# 1 GiB of it per case: 512 faults and folio pins instead of 262144, which
# under TCG with KASAN is most of the case's time.  Every other program runs
# with the kernel's default (never).
shmem_thp() {
	f=/sys/kernel/mm/transparent_hugepage/shmem_enabled
	[ -w $f ] || return 0
	case $1 in vfio:*) echo always ;; *) echo never ;; esac >$f
}

# run_ksft COLLECTION:PROGRAM: one kselftest program through kselftest's own
# runner, its output in /results/ksft-COLLECTION-PROGRAM.tap; fails when the
# runner reports the program not ok.
run_ksft() {
	out=/results/ksft-$(echo "$1" | tr : -).tap
	# The runner reopens /dev/stdout with >> for each program's output, so
	# the file must be in append mode here too or the two overwrite each other.
	: >"$out"
	shmem_thp "$1"
	(cd /opt/kselftest && ./run_kselftest.sh -o "${KSFT_TIMEOUT:-1200}" -t "$1") >>"$out" 2>&1 || true
	! grep -q '^not ok' "$out"
}

# run_suites: run each suite of $SUITES in order: ksft:COLLECTION:PROGRAM is
# that kselftest program, "reboot" ends the boot (the suites after it run in
# a fresh one, with lockdep's graph started over), any other NAME is the
# function suite_NAME of the guest script.  Each is bracketed in the kernel log by "series-suite: start
# NAME" and "series-suite: end NAME STATUS", so the host knows which suite a
# splat, a crash or a hang belongs to; its results go to the host when it
# ends.  When a suite taints the kernel or turns lockdep off, the boot stops
# after it: the host runs the suites left in a fresh one, whose lockdep and
# taint checks still work.
run_suites() {
	taint0=$(cat /proc/sys/kernel/tainted) locks0=$(debug_locks)
	for s in $SUITES; do
		echo "series-suite: start $s" >/dev/kmsg
		rc=0
		case $s in
		ksft:*) run_ksft "${s#ksft:}" || rc=$? ;;
		reboot) ;;
		*) "suite_$s" || rc=$? ;;
		esac
		dump_results
		echo "series-suite: end $s $rc" >/dev/kmsg
		[ "$s" != reboot ] || return 0
		if [ "$(cat /proc/sys/kernel/tainted)" != "$taint0" ] ||
		   [ "$(debug_locks)" != "$locks0" ]; then
			echo "series-suite: stop: kernel tainted or lockdep off after $s" >/dev/kmsg
			return 0
		fi
	done
}
