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

/* The non-empty buckets as a JSON array of {"lo","hi","count"} */
void print_log2_slots_json(FILE *f, const unsigned int *vals, int vals_size)
{
	int i, first = 1;

	fputc('[', f);
	for (i = 0; i < vals_size; i++) {
		if (!vals[i])
			continue;
		fprintf(f, "%s{\"lo\":%llu,\"hi\":%llu,\"count\":%u}", first ? "" : ",",
			i ? 1ULL << i : 0ULL, (1ULL << (i + 1)) - 1, vals[i]);
		first = 0;
	}
	fputc(']', f);
}

void print_log2_hist_json(FILE *f, const char *name, const unsigned int *vals,
			  int vals_size)
{
	fprintf(f, "{\"hist\":\"%s\",\"slots\":", name);
	print_log2_slots_json(f, vals, vals_size);
	fprintf(f, "}\n");
}

/*
 * Upper bound of the bucket that holds the @pct-th percentile: at least @pct
 * percent of the values are <= it.  0 for an empty histogram.
 */
unsigned long long log2_hist_percentile(const unsigned int *vals, int vals_size,
					unsigned int pct)
{
	unsigned long long total = 0, want, seen = 0;
	int i;

	for (i = 0; i < vals_size; i++)
		total += vals[i];
	if (!total)
		return 0;
	want = (total * pct + 99) / 100;	/* rank, rounded up */
	for (i = 0; i < vals_size; i++) {
		seen += vals[i];
		if (seen >= want)
			break;
	}
	if (i == vals_size)
		i--;
	return (1ULL << (i + 1)) - 1;
}
