// SPDX-License-Identifier: GPL-2.0
/*
 * msidoorbell: count the MSI doorbells prepared for devices
 * (iommu:sw_msi_map, one event per iommu_dma_prepare_msi() call), per
 * device, doorbell, IOVA and how the device reaches the doorbell (direct,
 * dma, dma-msi, iommufd, none): calls and errors.
 *
 * With -j, one JSON object per line and row, keys always in the same order,
 * so a busybox shell can assert on them with grep.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "msidoorbell.h"
#include "msidoorbell.skel.h"
#include "trace_helpers.h"

static struct common_env env;

/* IOMMU_TRACE_MSI_* of include/trace/events/iommu.h */
static const char *const via_names[] = {
	"direct", "dma", "dma-msi", "iommufd", "none",
};

struct row {
	struct msidoorbell_key key;
	struct msidoorbell_val val;
};

const char *argp_program_version = "msidoorbell 0.1";
static const char doc[] =
"Count MSI doorbells prepared per device (iommu:sw_msi_map).\n"
"\n"
"USAGE: msidoorbell [-h] [-j] [-c COMM] [-d SECONDS] [-v]\n"
"\n"
"EXAMPLES:\n"
"    msidoorbell           # table of doorbells on Ctrl-C\n"
"    msidoorbell -j -d 10  # JSON lines after 10 seconds\n";

static const struct argp_option opts[] = {
	{ "json", 'j', NULL, 0, "JSON lines: one object per row", 0 },
	{ "comm", 'c', "COMM", 0, "Count only calls made by tasks named COMM", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (default: on SIGINT/SIGTERM)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf debug output", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{},
};

static const char *via_name(__u32 via, char *buf, size_t len)
{
	if (via < sizeof(via_names) / sizeof(via_names[0]))
		return via_names[via];
	snprintf(buf, len, "%u", via);
	return buf;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct msidoorbell_key *x = &((const struct row *)a)->key;
	const struct msidoorbell_key *y = &((const struct row *)b)->key;
	int r = strcmp(x->device, y->device);

	if (r)
		return r;
	if (x->doorbell != y->doorbell)
		return x->doorbell < y->doorbell ? -1 : 1;
	if (x->iova != y->iova)
		return x->iova < y->iova ? -1 : 1;
	return x->via < y->via ? -1 : x->via > y->via;
}

static int print_rows(struct msidoorbell_bpf *obj)
{
	static struct row rows[MAX_ENTRIES];
	int fd = bpf_map__fd(obj->maps.doorbells), i, n = 0;
	struct msidoorbell_key *prev = NULL;
	char buf[16];

	while (n < MAX_ENTRIES && !bpf_map_get_next_key(fd, prev, &rows[n].key)) {
		if (bpf_map_lookup_elem(fd, &rows[n].key, &rows[n].val))
			return -errno;
		prev = &rows[n++].key;
	}
	qsort(rows, n, sizeof(rows[0]), cmp_rows);

	if (!env.json)
		printf("%-16s %-8s %-12s %-12s %6s %6s %8s\n", "DEVICE", "VIA",
		       "DOORBELL", "IOVA", "CALLS", "ERRORS", "LAST_ERR");
	for (i = 0; i < n; i++) {
		const struct msidoorbell_key *k = &rows[i].key;
		const struct msidoorbell_val *v = &rows[i].val;
		const char *via = via_name(k->via, buf, sizeof(buf));

		if (env.json)
			printf("{\"device\":\"%s\",\"via\":\"%s\",\"doorbell\":%llu,"
			       "\"iova\":%llu,\"calls\":%llu,\"errors\":%llu,"
			       "\"last_err\":%d}\n",
			       k->device, via, k->doorbell, k->iova, v->calls,
			       v->errors, v->last_err);
		else
			printf("%-16s %-8s 0x%-10llx 0x%-10llx %6llu %6llu %8d\n",
			       k->device, via, k->doorbell, k->iova, v->calls,
			       v->errors, v->last_err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_common_arg,
		.doc = doc,
	};
	struct msidoorbell_bpf *obj;
	bool btf;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &env);
	if (err)
		return err;
	libbpf_set_print(libbpf_print_fn);

	obj = msidoorbell_bpf__open();
	if (!obj) {
		fprintf(stderr, "failed to open BPF object\n");
		return 1;
	}
	if (env.comm)
		strncpy((char *)obj->rodata->targ_comm, env.comm, TASK_COMM_LEN - 1);

	/* tp_btf where the kernel's BTF describes the tracepoint, else raw_tp */
	btf = probe_tp_btf("sw_msi_map");
	bpf_program__set_autoload(obj->progs.sw_msi_map_btf, btf);
	bpf_program__set_autoload(obj->progs.sw_msi_map_raw, !btf);

	err = msidoorbell_bpf__load(obj);
	if (err) {
		fprintf(stderr, "failed to load BPF object: %d\n", err);
		goto cleanup;
	}
	err = msidoorbell_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "failed to attach BPF programs: %d\n", err);
		if (err == -ENOENT)
			fprintf(stderr, "no tracepoint iommu:sw_msi_map in this kernel\n");
		goto cleanup;
	}

	fprintf(stderr, "Tracing MSI doorbell mappings (%s)... Hit Ctrl-C to end.\n",
		btf ? "tp_btf" : "raw_tp");
	wait_for_end(env.duration, NULL, NULL);
	err = print_rows(obj);

cleanup:
	msidoorbell_bpf__destroy(obj);
	return err != 0;
}
