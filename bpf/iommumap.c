// SPDX-License-Identifier: GPL-2.0
/*
 * iommumap: trace IOMMU map/unmap calls (iommu:map, iommu:unmap) and
 * summarize their sizes as log2 histograms.
 *
 * With -j, every event and the final histograms are printed as JSON lines, so
 * a test can assert that a given IOVA range was mapped and unmapped; then a
 * summary line with the calls and bytes of each operation, so that it can
 * assert that everything mapped was unmapped.  -s leaves the events out.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "iommumap.h"
#include "iommumap.skel.h"
#include "trace_helpers.h"

static struct {
	struct common_env common;
	bool summary_only;
} env;

static const char *const op_names[IOMMUMAP_NR_OPS] = { "map", "unmap" };

const char *argp_program_version = "iommumap 0.1";
static const char doc[] =
"Trace IOMMU map/unmap and summarize their sizes.\n"
"\n"
"USAGE: iommumap [-h] [-j] [-s] [-c COMM] [-d SECONDS] [-v]\n"
"\n"
"EXAMPLES:\n"
"    iommumap              # histograms of map/unmap sizes on Ctrl-C\n"
"    iommumap -j -c qemu   # JSON lines: every map/unmap by task 'qemu'\n"
"    iommumap -j -s        # JSON lines: histograms and totals only\n";

static const struct argp_option opts[] = {
	{ "json", 'j', NULL, 0, "JSON lines: each event, then the histograms", 0 },
	{ "summary", 's', NULL, 0, "No event lines: histograms and totals only", 0 },
	{ "comm", 'c', "COMM", 0, "Trace only tasks named COMM", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (default: on SIGINT/SIGTERM)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf debug output", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	if (key == 's') {
		env.summary_only = true;
		return 0;
	}
	return parse_common_arg(key, arg, state);
}

static int handle_event(void *ctx, void *data, size_t len)
{
	const struct iommumap_event *e = data;

	if (e->op == IOMMUMAP_MAP)
		printf("{\"event\":\"map\",\"ts_ns\":%llu,\"pid\":%u,\"comm\":\"%s\","
		       "\"iova\":%llu,\"paddr\":%llu,\"size\":%llu}\n",
		       e->ts_ns, e->pid, e->comm, e->iova, e->paddr, e->size);
	else
		printf("{\"event\":\"unmap\",\"ts_ns\":%llu,\"pid\":%u,\"comm\":\"%s\","
		       "\"iova\":%llu,\"size\":%llu,\"unmapped\":%llu}\n",
		       e->ts_ns, e->pid, e->comm, e->iova, e->size, e->unmapped);
	return 0;
}

static int poll_events(void *rb)
{
	int err = ring_buffer__poll(rb, 100);

	fflush(stdout);
	return err;
}

static int print_hists(struct iommumap_bpf *obj)
{
	struct iommumap_hist hist;
	__u32 op;

	for (op = 0; op < IOMMUMAP_NR_OPS; op++) {
		if (bpf_map_lookup_elem(bpf_map__fd(obj->maps.hists), &op, &hist))
			return -errno;
		if (env.common.json) {
			print_log2_hist_json(stdout, op_names[op], hist.slots, MAX_SLOTS);
		} else {
			printf("\n%s:\n", op_names[op]);
			print_log2_hist(stdout, hist.slots, MAX_SLOTS, "bytes");
		}
	}
	return 0;
}

static void print_totals(struct iommumap_bpf *obj)
{
	const struct iommumap_totals *t = &obj->bss->totals;

	if (env.common.json)
		printf("{\"summary\":\"iommumap\",\"map_calls\":%llu,\"map_bytes\":%llu,"
		       "\"unmap_calls\":%llu,\"unmap_bytes\":%llu}\n",
		       t->calls[IOMMUMAP_MAP], t->bytes[IOMMUMAP_MAP],
		       t->calls[IOMMUMAP_UNMAP], t->bytes[IOMMUMAP_UNMAP]);
	else
		printf("\nmap: %llu calls, %llu bytes; unmap: %llu calls, %llu bytes\n",
		       t->calls[IOMMUMAP_MAP], t->bytes[IOMMUMAP_MAP],
		       t->calls[IOMMUMAP_UNMAP], t->bytes[IOMMUMAP_UNMAP]);
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
	};
	struct ring_buffer *rb = NULL;
	struct iommumap_bpf *obj;
	bool btf;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &env.common);
	if (err)
		return err;
	libbpf_set_print(libbpf_print_fn);

	obj = iommumap_bpf__open();
	if (!obj) {
		fprintf(stderr, "failed to open BPF object\n");
		return 1;
	}
	obj->rodata->targ_events = env.common.json && !env.summary_only;
	if (env.common.comm)
		strncpy((char *)obj->rodata->targ_comm, env.common.comm, TASK_COMM_LEN - 1);

	/* tp_btf where the kernel's BTF describes the tracepoints, else raw_tp */
	btf = probe_tp_btf("map") && probe_tp_btf("unmap");
	bpf_program__set_autoload(obj->progs.map_btf, btf);
	bpf_program__set_autoload(obj->progs.unmap_btf, btf);
	bpf_program__set_autoload(obj->progs.map_raw, !btf);
	bpf_program__set_autoload(obj->progs.unmap_raw, !btf);

	err = iommumap_bpf__load(obj);
	if (err) {
		fprintf(stderr, "failed to load BPF object: %d\n", err);
		goto cleanup;
	}
	err = iommumap_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "failed to attach BPF programs: %d\n", err);
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(obj->maps.events), handle_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "failed to create ring buffer: %d\n", err);
		goto cleanup;
	}

	fprintf(stderr, "Tracing IOMMU map/unmap (%s)... Hit Ctrl-C to end.\n",
		btf ? "tp_btf" : "raw_tp");
	err = wait_for_end(env.common.duration, poll_events, rb);
	if (err < 0) {
		fprintf(stderr, "error polling ring buffer: %d\n", err);
		goto cleanup;
	}
	/* Drain what arrived between the last poll and the signal. */
	err = ring_buffer__consume(rb);
	err = err < 0 ? err : print_hists(obj);
	if (!err)
		print_totals(obj);

cleanup:
	ring_buffer__free(rb);
	iommumap_bpf__destroy(obj);
	return err != 0;
}
