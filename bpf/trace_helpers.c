// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the tools' front ends, after libbpf-tools' trace_helpers.c */
#include <stdarg.h>
#include <bpf/btf.h>
#include "trace_helpers.h"

bool verbose;

int libbpf_print_fn(enum libbpf_print_level level, const char *format,
		    va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

/* Is the BTF-typed tracepoint @name available (btf_trace_<name> in vmlinux)? */
bool probe_tp_btf(const char *name)
{
	return libbpf_find_vmlinux_btf_id(name, BPF_TRACE_RAW_TP) > 0;
}

static int last_nonzero(const unsigned int *vals, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--)
		if (vals[i])
			return i;
	return -1;
}

void print_log2_hist(FILE *f, const unsigned int *vals, int vals_size,
		     const char *val_type)
{
	unsigned int max = 0;
	int i, j, idx_max = last_nonzero(vals, vals_size);

	for (i = 0; i <= idx_max; i++)
		if (vals[i] > max)
			max = vals[i];
	if (idx_max < 0)
		return;
	fprintf(f, "%*s%-*s : count    distribution\n", 10, "", 14, val_type);
	for (i = 0; i <= idx_max; i++) {
		unsigned long long lo = i ? 1ULL << i : 0, hi = (1ULL << (i + 1)) - 1;
		int stars = max ? (int)((unsigned long long)vals[i] * 40 / max) : 0;

		fprintf(f, "%12llu -> %-12llu : %-8u |", lo, hi, vals[i]);
		for (j = 0; j < 40; j++)
			fputc(j < stars ? '*' : ' ', f);
		fprintf(f, "|\n");
	}
}

void print_log2_hist_json(FILE *f, const char *name, const unsigned int *vals,
			  int vals_size)
{
	int i, first = 1;

	fprintf(f, "{\"hist\":\"%s\",\"slots\":[", name);
	for (i = 0; i < vals_size; i++) {
		if (!vals[i])
			continue;
		fprintf(f, "%s{\"lo\":%llu,\"hi\":%llu,\"count\":%u}", first ? "" : ",",
			i ? 1ULL << i : 0ULL, (1ULL << (i + 1)) - 1, vals[i]);
		first = 0;
	}
	fprintf(f, "]}\n");
}
