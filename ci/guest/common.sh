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

# trace_start TOOL ARGS...: start a BPF tool writing JSON to /results/TOOL.json
# and wait until it has attached.  A tool that does not attach is only
# reported: the test still runs, and the host's check of the tool's output
# (bpf_tool_output in ci/lib.sh) fails.
trace_start() {
	tool=$1
	shift
	"/opt/bin/$tool" "$@" >"/results/$tool.json" 2>"/results/$tool.err" &
	eval "${tool}_pid=$!"
	i=0
	while ! grep -q '^Tracing' "/results/$tool.err"; do
		i=$((i + 1))
		if [ $i -ge 600 ] || ! kill -0 "$(eval echo \$"${tool}"_pid)" 2>/dev/null; then
			echo "$tool did not attach:"
			cat "/results/$tool.err"
			kill "$(eval echo \$"${tool}"_pid)" 2>/dev/null || true
			eval "${tool}_pid="
			return 0
		fi
		sleep 0.1
	done
}

# trace_stop TOOL: SIGINT the tool and wait for it to print its summary.
trace_stop() {
	pid=$(eval echo \$"${1}"_pid)
	[ -n "$pid" ] || return 0
	kill -INT "$pid"
	wait "$pid" || echo "$1 exited with status $?"
}
