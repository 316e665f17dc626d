// SPDX-License-Identifier: GPL-2.0
/*
 * iopflat: I/O page fault latency, from the page request an IOMMU driver
 * reports (iommu:iopf_report) to the response sent back to the device
 * (iommu:iopf_response), as a log2 histogram, optionally per device and/or
 * PASID; plus the responses by code, and the requests still unanswered and
 * the responses to no traced request when it stops.  With -e, also the exact
 * percentiles of the latency over all the responses, from each one sent to
 * user space through a ring buffer.
 *
 * With -j, one JSON object per line, keys always in the same order, so a
 * busybox shell can assert on them with grep: a "hist" line per histogram,
 * with -e an "exact" line, with -G a "pgrp" line per process group, a
 * "request" line per request still unanswered, then one "summary" line.
 *
 * With -S, each histogram is also broken down by the handler the core gave
 * the group to (iommufd's kernel handler of pin on fault IOAS mappings, SVA,
 * an iommufd fault queue, or none) and, for the kernel handler and SVA, by
 * stage; the summary and -G lines count the pages the demand-paging fault
 * path pinned and unpinned.
 */
#include <argp.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "iopflat.h"
#include "iopflat.skel.h"
#include "trace_helpers.h"

static struct env {
	struct common_env common;
	bool per_dev;
	bool per_pasid;
	bool usecs;
	bool msecs;
	bool exact;
	bool per_pgrp;
	bool stages;
} env;

/* -e: every latency received, in ns */
static struct {
	__u64 *vals;
	size_t n;
	size_t cap;
} lats;

static const char *const code_names[IOPFLAT_NR_CODES] = {
	"success", "invalid", "failure", "other",
};

static const char *const handler_names[HANDLER_NR] = {
	"any", "kernel", "sva", "user", "none",
};

static const char *const stage_names[STAGE_NR] = {
	"total", "queue", "lookup", "pin", "map", "response", "resolve",
};

struct hist_row {
	struct hist_key key;
	struct hist hist;
};

const char *argp_program_version = "iopflat 0.1";
static const char doc[] =
"Summarize I/O page fault latency (iommu:iopf_report -> iommu:iopf_response)\n"
"as a log2 histogram, and count responses by code.\n"
"\n"
"USAGE: iopflat [-h] [-j] [-D] [-P] [-u | -m] [-e] [-G] [-S] [-d SECONDS] [-v]\n"
"\n"
"Percentiles are the upper bounds of the log2 buckets that hold them; -e adds\n"
"exact ones (nearest rank, in nsecs, over all devices and PASIDs) from every\n"
"latency, sent to user space through a ring buffer.\n"
"\n"
"-D names each device as its driver registered it and, for a device that a\n"
"VFIO driver holds, the VFIO device too (\"vfio\": vfioN of /dev/vfio/devices,\n"
"looked up in sysfs when printing): the device a VFIO user opened.\n"
"\n"
"-G counts requests and responses per process group of the task that reported\n"
"the requests: for a software fault source, such as the mock DMA engine of\n"
"iommufd's selftests, the test that caused them (kselftest_harness runs each\n"
"test in a process group of its own).  An IOMMU driver reports from its\n"
"interrupt thread: process group 0.\n"
"\n"
"-S tells apart the handler each group of requests went to: \"kernel\"\n"
"(iommufd resolves faults on pin on fault IOAS mappings), \"sva\", \"user\"\n"
"(an iommufd fault queue answered from userspace) or \"none\" (the core\n"
"answered INVALID); breaks the kernel handler's service time into queue,\n"
"lookup, pin, map and response, and SVA's into queue and resolve; and counts\n"
"the pages the demand-paging fault path pinned and unpinned (per process\n"
"group with -G: what faults pinned for a test, and what its unmaps, detaches\n"
"and exit unpinned).  It attaches to functions of iommufd and the IOMMU core.\n"
"\n"
"EXAMPLES:\n"
"    iopflat               # latency histogram in nsecs on Ctrl-C\n"
"    iopflat -D -P -u      # one histogram per device and PASID, in usecs\n"
"    iopflat -j -d 10      # JSON lines after 10 seconds\n"
"    iopflat -e -j         # exact p50/p90/p99 in ns, JSON lines\n"
"    iopflat -G -j         # counts per process group, JSON lines\n"
"    iopflat -S -u         # per handler and stage, in usecs\n";

static const struct argp_option opts[] = {
	{ "json", 'j', NULL, 0, "JSON lines: histograms, exact (-e), unanswered requests, summary", 0 },
	{ "device", 'D', NULL, 0, "One histogram per device (and its VFIO device)", 0 },
	{ "pasid", 'P', NULL, 0, "One histogram per PASID (-1: none)", 0 },
	{ "usecs", 'u', NULL, 0, "Histogram in microseconds", 0 },
	{ "msecs", 'm', NULL, 0, "Histogram in milliseconds", 0 },
	{ "exact", 'e', NULL, 0, "Also exact p50/p90/p99, min and max, in nsecs", 0 },
	{ "pgrp", 'G', NULL, 0, "Also count requests and responses per process group of the reporting task", 0 },
	{ "stages", 'S', NULL, 0, "Break down by handler and stage; count fault-path pins", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (default: on SIGINT/SIGTERM)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf debug output", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'D':
		env.per_dev = true;
		break;
	case 'P':
		env.per_pasid = true;
		break;
	case 'u':
		env.usecs = true;
		break;
	case 'm':
		env.msecs = true;
		break;
	case 'e':
		env.exact = true;
		break;
	case 'G':
		env.per_pgrp = true;
		break;
	case 'S':
		env.stages = true;
		break;
	case ARGP_KEY_END:
		if (env.usecs && env.msecs) {
			fprintf(stderr, "-u and -m are exclusive\n");
			argp_usage(state);
		}
		break;
	default:
		return parse_common_arg(key, arg, state);
	}
	return 0;
}

static const char *unit(void)
{
	return env.msecs ? "msecs" : env.usecs ? "usecs" : "nsecs";
}

static int cmp_hist_rows(const void *a, const void *b)
{
	const struct hist_key *x = &((const struct hist_row *)a)->key;
	const struct hist_key *y = &((const struct hist_row *)b)->key;
	int r = strcmp(x->device, y->device);

	if (r)
		return r;
	if (x->pasid != y->pasid)
		return x->pasid < y->pasid ? -1 : 1;
	if (x->handler != y->handler)
		return x->handler < y->handler ? -1 : 1;
	return x->stage < y->stage ? -1 : x->stage > y->stage;
}

/*
 * The VFIO device (vfioN, its /dev/vfio/devices name) registered on the
 * device named @dev, found by its vfio-dev directory on any bus; "" when
 * none is, as for a device that no VFIO driver holds.
 */
static const char *vfio_name(const char *dev)
{
	static char name[64];
	char pattern[PATH_MAX];
	glob_t g;

	name[0] = 0;
	snprintf(pattern, sizeof(pattern), "/sys/bus/*/devices/%s/vfio-dev/vfio*",
		 dev);
	if (!glob(pattern, 0, NULL, &g)) {
		if (g.gl_pathc == 1)
			snprintf(name, sizeof(name), "%s",
				 strrchr(g.gl_pathv[0], '/') + 1);
		globfree(&g);
	}
	return name;
}

static void print_hist(const struct hist_row *row)
{
	const unsigned int *slots = row->hist.slots;
	unsigned long long count = 0;
	int i;

	for (i = 0; i < MAX_SLOTS; i++)
		count += slots[i];

	if (env.common.json) {
		printf("{\"hist\":\"latency\",\"unit\":\"%s\"", unit());
		if (env.per_dev)
			printf(",\"device\":\"%s\",\"vfio\":\"%s\"",
			       row->key.device, vfio_name(row->key.device));
		if (env.per_pasid)
			printf(",\"pasid\":%d", (int)row->key.pasid);
		if (env.stages)
			printf(",\"handler\":\"%s\",\"stage\":\"%s\"",
			       handler_names[row->key.handler % HANDLER_NR],
			       stage_names[row->key.stage % STAGE_NR]);
		printf(",\"count\":%llu,\"p50_hi\":%llu,\"p90_hi\":%llu,\"p99_hi\":%llu,\"slots\":",
		       count, log2_hist_percentile(slots, MAX_SLOTS, 50),
		       log2_hist_percentile(slots, MAX_SLOTS, 90),
		       log2_hist_percentile(slots, MAX_SLOTS, 99));
		print_log2_slots_json(stdout, slots, MAX_SLOTS);
		printf("}\n");
		return;
	}

	printf("\n");
	if (env.per_dev)
		printf("device = %s%s%s%s", row->key.device,
		       *vfio_name(row->key.device) ? " vfio = " : "",
		       vfio_name(row->key.device), env.per_pasid ? " " : "\n");
	if (env.per_pasid)
		printf("pasid = %d\n", (int)row->key.pasid);
	if (env.stages)
		printf("handler = %s, stage = %s\n",
		       handler_names[row->key.handler % HANDLER_NR],
		       stage_names[row->key.stage % STAGE_NR]);
	print_log2_hist(stdout, slots, MAX_SLOTS, unit());
	printf("responses: %llu, p50 <= %llu, p90 <= %llu, p99 <= %llu %s (log2 bucket bounds)\n",
	       count, log2_hist_percentile(slots, MAX_SLOTS, 50),
	       log2_hist_percentile(slots, MAX_SLOTS, 90),
	       log2_hist_percentile(slots, MAX_SLOTS, 99), unit());
}

static int print_hists(struct iopflat_bpf *obj)
{
	static struct hist_row rows[MAX_HISTS];
	int fd = bpf_map__fd(obj->maps.hists), i, n = 0;
	struct hist_key *prev = NULL;

	while (n < MAX_HISTS && !bpf_map_get_next_key(fd, prev, &rows[n].key)) {
		if (bpf_map_lookup_elem(fd, &rows[n].key, &rows[n].hist))
			return -errno;
		prev = &rows[n++].key;
	}
	qsort(rows, n, sizeof(rows[0]), cmp_hist_rows);
	for (i = 0; i < n; i++)
		print_hist(&rows[i]);
	return 0;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct iopflat_event *e = data;
	size_t cap;
	__u64 *vals;

	if (lats.n == lats.cap) {
		cap = lats.cap ? 2 * lats.cap : 4096;
		vals = realloc(lats.vals, cap * sizeof(*vals));
		if (!vals)
			return -ENOMEM;
		lats.vals = vals;
		lats.cap = cap;
	}
	lats.vals[lats.n++] = e->lat_ns;
	return 0;
}

static int poll_events(void *ctx)
{
	return ring_buffer__poll(ctx, 100 /* ms */);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the value at rank ceil(@pct% of @n) in @vals, sorted, @n > 0 */
static __u64 percentile(const __u64 *vals, size_t n, unsigned int pct)
{
	return vals[(n * pct + 99) / 100 - 1];
}

static void print_exact(void)
{
	__u64 min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;

	if (lats.n) {
		qsort(lats.vals, lats.n, sizeof(lats.vals[0]), cmp_u64);
		min = lats.vals[0];
		p50 = percentile(lats.vals, lats.n, 50);
		p90 = percentile(lats.vals, lats.n, 90);
		p99 = percentile(lats.vals, lats.n, 99);
		max = lats.vals[lats.n - 1];
	}
	if (env.common.json)
		printf("{\"exact\":\"iopf\",\"n\":%zu,\"min\":%llu,\"p50\":%llu,"
		       "\"p90\":%llu,\"p99\":%llu,\"max\":%llu,\"unit\":\"nsecs\"}\n",
		       lats.n, min, p50, p90, p99, max);
	else
		printf("\nexact: n=%zu min=%llu p50=%llu p90=%llu p99=%llu max=%llu nsecs\n",
		       lats.n, min, p50, p90, p99, max);
}

/*
 * The groups left in the map await their response: unanswered requests, or,
 * without a last-page request yet, partial groups.  Counts them in *unanswered
 * and *partial, and lists each with -j.
 */
static void count_pending(struct iopflat_bpf *obj, __u64 *unanswered, __u64 *partial)
{
	int fd = bpf_map__fd(obj->maps.groups), n = 0;
	struct group_key key, *prev = NULL;
	struct group_val val;
	struct timespec now;
	__u64 now_ns;

	clock_gettime(CLOCK_MONOTONIC, &now);	/* bpf_ktime_get_ns()'s clock */
	now_ns = now.tv_sec * 1000000000ULL + now.tv_nsec;
	*unanswered = *partial = 0;
	while (n++ < MAX_GROUPS && !bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;	/* answered meanwhile */
		if (val.flags & IOPF_LAST_PAGE)
			(*unanswered)++;
		else
			(*partial)++;
		if (env.common.json)
			printf("{\"request\":\"%s\",\"device\":\"%s\",\"pasid\":%d,"
			       "\"grpid\":%u,\"addr\":%llu,\"perm\":%u,\"age_ns\":%llu}\n",
			       val.flags & IOPF_LAST_PAGE ? "unanswered" : "partial",
			       val.device,
			       val.flags & IOPF_PASID_VALID ? (int)key.pasid : -1,
			       key.grpid, val.addr, val.perm, now_ns - val.ts_ns);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* -G: the counts of each process group, by process group ID */
static int print_pgrps(struct iopflat_bpf *obj)
{
	static __u32 keys[MAX_PGRPS];
	int fd = bpf_map__fd(obj->maps.pgrps), i, j, n = 0;
	struct pgrp_counts c;
	__u32 *prev = NULL;

	while (n < MAX_PGRPS && !bpf_map_get_next_key(fd, prev, &keys[n]))
		prev = &keys[n++];
	qsort(keys, n, sizeof(keys[0]), cmp_u32);
	if (!env.common.json)
		printf("\n%10s %8s %8s %9s %8s %8s %8s %8s%s\n", "PGRP", "REPORTS",
		       "REQUESTS", "RESPONSES", "SUCCESS", "INVALID", "FAILURE", "OTHER",
		       env.stages ? "   PINNED UNPINNED" : "");
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &c))
			return -errno;
		if (env.common.json) {
			printf("{\"pgrp\":%u,\"reports\":%llu,\"requests\":%llu,"
			       "\"responses\":%llu", keys[i], c.reports, c.requests,
			       c.responses);
			for (j = 0; j < IOPFLAT_NR_CODES; j++)
				printf(",\"%s\":%llu", code_names[j], c.codes[j]);
			if (env.stages)
				printf(",\"fault_pinned\":%llu,\"fault_unpinned\":%llu",
				       c.fault_pinned, c.fault_unpinned);
			printf("}\n");
			continue;
		}
		printf("%10u %8llu %8llu %9llu", keys[i], c.reports, c.requests,
		       c.responses);
		for (j = 0; j < IOPFLAT_NR_CODES; j++)
			printf(" %8llu", c.codes[j]);
		if (env.stages)
			printf(" %8llu %8llu", c.fault_pinned, c.fault_unpinned);
		printf("\n");
	}
	return 0;
}

static void print_summary(struct iopflat_bpf *obj, bool btf)
{
	const struct iopflat_counts *c = &obj->bss->counts;
	__u64 unanswered, partial;
	int i;

	count_pending(obj, &unanswered, &partial);
	if (env.common.json) {
		printf("{\"summary\":\"iopf\",\"attach\":\"%s\",\"reports\":%llu,"
		       "\"requests\":%llu,\"responses\":%llu",
		       btf ? "tp_btf" : "raw_tp", c->reports, c->requests, c->responses);
		for (i = 0; i < IOPFLAT_NR_CODES; i++)
			printf(",\"%s\":%llu", code_names[i], c->codes[i]);
		printf(",\"unanswered\":%llu,\"partial\":%llu,\"unmatched\":%llu,\"lost\":%llu,"
		       "\"dropped\":%llu,\"pgrp_lost\":%llu",
		       unanswered, partial, c->unmatched, c->lost, c->dropped,
		       c->pgrp_lost);
		if (env.stages) {
			for (i = HANDLER_KERNEL; i < HANDLER_NR; i++)
				printf(",\"handler_%s\":%llu", handler_names[i],
				       c->handlers[i]);
			printf(",\"fault_pinned\":%llu,\"fault_unpinned\":%llu",
			       c->fault_pinned, c->fault_unpinned);
		}
		printf("}\n");
		return;
	}
	printf("\npage requests: %llu reported, %llu last-page (need a response)\n",
	       c->reports, c->requests);
	printf("responses: %llu:", c->responses);
	for (i = 0; i < IOPFLAT_NR_CODES; i++)
		printf(" %s %llu", code_names[i], c->codes[i]);
	printf("\nunanswered requests: %llu, partial groups: %llu, "
	       "responses to no traced request: %llu, requests not tracked: %llu, "
	       "latencies dropped (-e): %llu, not counted per process group (-G): %llu\n",
	       unanswered, partial, c->unmatched, c->lost, c->dropped, c->pgrp_lost);
	if (!env.stages)
		return;
	printf("groups by handler:");
	for (i = HANDLER_KERNEL; i < HANDLER_NR; i++)
		printf(" %s %llu", handler_names[i], c->handlers[i]);
	printf("\npages the demand-paging fault path pinned: %llu, unpinned: %llu\n",
	       c->fault_pinned, c->fault_unpinned);
}

/*
 * -S: load the kprobes whose kernel functions exist (in the kernel's BTF, so
 * not inlined away); iommufd's are required.
 */
static int set_stage_progs(struct iopflat_bpf *obj)
{
	static const char *const required[] = {
		"iommufd_demand_iopf_handler", "iommufd_demand_iopf_work",
		"iopt_area_fault_map", "iopt_area_unfill_demand",
		"iopt_pages_add_access", "iopt_fault_run_map",
		"iopt_pages_update_pinned", "iommufd_fault_iopf_handler",
	};
	struct bpf_program *prog;
	unsigned int i;

	bpf_object__for_each_program(prog, obj->obj) {
		if (bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE)
			bpf_program__set_autoload(prog, false);
	}
	if (!env.stages)
		return 0;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!kernel_has_func(required[i])) {
			fprintf(stderr, "-S: the kernel has no %s (needs iommufd's demand paging, CONFIG_IOMMUFD=y)\n",
				required[i]);
			return -ENOENT;
		}
	}
	bpf_program__set_autoload(obj->progs.demand_handler, true);
	bpf_program__set_autoload(obj->progs.user_handler, true);
	bpf_program__set_autoload(obj->progs.demand_work, true);
	bpf_program__set_autoload(obj->progs.demand_work_exit, true);
	bpf_program__set_autoload(obj->progs.fault_map, true);
	bpf_program__set_autoload(obj->progs.fault_map_exit, true);
	bpf_program__set_autoload(obj->progs.unfill_demand, true);
	bpf_program__set_autoload(obj->progs.unfill_demand_exit, true);
	bpf_program__set_autoload(obj->progs.pin, true);
	bpf_program__set_autoload(obj->progs.pin_exit, true);
	bpf_program__set_autoload(obj->progs.map, true);
	bpf_program__set_autoload(obj->progs.map_exit, true);
	bpf_program__set_autoload(obj->progs.update_pinned, true);
	bpf_program__set_autoload(obj->progs.update_pinned_exit, true);
	/* Without CONFIG_IOMMU_SVA there is no SVA handler to tell apart */
	bpf_program__set_autoload(obj->progs.sva_handler,
				  kernel_has_func("iommu_sva_iopf_handler"));
	bpf_program__set_autoload(obj->progs.sva_work,
				  kernel_has_func("iommu_sva_handle_iopf"));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
	};
	struct ring_buffer *rb = NULL;
	struct iopflat_bpf *obj;
	bool btf;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &env.common);
	if (err)
		return err;
	libbpf_set_print(libbpf_print_fn);

	obj = iopflat_bpf__open();
	if (!obj) {
		fprintf(stderr, "failed to open BPF object\n");
		return 1;
	}
	obj->rodata->targ_per_dev = env.per_dev;
	obj->rodata->targ_per_pasid = env.per_pasid;
	obj->rodata->targ_div = env.msecs ? 1000000 : env.usecs ? 1000 : 1;
	obj->rodata->targ_exact = env.exact;
	obj->rodata->targ_per_pgrp = env.per_pgrp;
	obj->rodata->targ_stages = env.stages;

	/* tp_btf where the kernel's BTF describes the tracepoints, else raw_tp */
	btf = probe_tp_btf("iopf_report") && probe_tp_btf("iopf_response");
	bpf_program__set_autoload(obj->progs.iopf_report_btf, btf);
	bpf_program__set_autoload(obj->progs.iopf_response_btf, btf);
	bpf_program__set_autoload(obj->progs.iopf_report_raw, !btf);
	bpf_program__set_autoload(obj->progs.iopf_response_raw, !btf);
	err = set_stage_progs(obj);
	if (err)
		goto cleanup;

	err = iopflat_bpf__load(obj);
	if (err) {
		fprintf(stderr, "failed to load BPF object: %d\n", err);
		goto cleanup;
	}
	if (env.exact) {
		rb = ring_buffer__new(bpf_map__fd(obj->maps.events), handle_event,
				      NULL, NULL);
		if (!rb) {
			err = -errno;
			fprintf(stderr, "failed to create ring buffer: %d\n", err);
			goto cleanup;
		}
	}
	err = iopflat_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "failed to attach BPF programs: %d\n", err);
		if (err == -ENOENT)
			fprintf(stderr, "no tracepoint iommu:iopf_report/iopf_response in this kernel\n");
		goto cleanup;
	}

	fprintf(stderr, "Tracing I/O page fault latency (%s)... Hit Ctrl-C to end.\n",
		btf ? "tp_btf" : "raw_tp");
	err = wait_for_end(env.common.duration, rb ? poll_events : NULL, rb);

	/* Detach first, so that the counts and the maps agree. */
	iopflat_bpf__detach(obj);
	if (!err && rb) {
		err = ring_buffer__consume(rb);	/* what the last poll left */
		if (err > 0)
			err = 0;
	}
	if (err) {
		fprintf(stderr, "failed to read ring buffer: %d\n", err);
		goto cleanup;
	}
	err = print_hists(obj);
	if (!err && env.exact)
		print_exact();
	if (!err && env.per_pgrp)
		err = print_pgrps(obj);
	if (!err)
		print_summary(obj, btf);

cleanup:
	ring_buffer__free(rb);
	free(lats.vals);
	iopflat_bpf__destroy(obj);
	return err != 0;
}
