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
# /results/NAME.json (NAME, a shell identifier, defaults to TOOL) and wait
# until it has attached.  A tool that does not attach is only reported: the
# test still runs, and the host's check of the tool's output (bpf_tool_output
# in ci/lib.sh) fails.
trace_start() {
	name=
	[ "$1" != -o ] || { name=$2; shift 2; }
	tool=$1
	name=${name:-$tool}
	shift
	"/opt/bin/$tool" "$@" >"/results/$name.json" 2>"/results/$name.err" &
	eval "${name}_pid=$!"
	i=0
	while ! grep -q '^Tracing' "/results/$name.err"; do
		i=$((i + 1))
		if [ $i -ge 600 ] || ! kill -0 "$(eval echo \$"${name}"_pid)" 2>/dev/null; then
			echo "$name ($tool) did not attach:"
			cat "/results/$name.err"
			kill "$(eval echo \$"${name}"_pid)" 2>/dev/null || true
			eval "${name}_pid="
			return 0
		fi
		sleep 0.1
	done
}

# trace_stop NAME: SIGINT the tool started as NAME and wait for it to print its summary.
trace_stop() {
	pid=$(eval echo \$"${1}"_pid)
	[ -n "$pid" ] || return 0
	kill -INT "$pid"
	wait "$pid" || echo "$1 exited with status $?"
}
