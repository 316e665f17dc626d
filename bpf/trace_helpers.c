// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the tools' front ends, after libbpf-tools' trace_helpers.c */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "trace_helpers.h"

bool verbose;

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	exiting = 1;
}

/*
 * The argp parser of the shared options; argp_parse()'s input is the tool's
 * struct common_env. A tool with options of its own hands it the rest.
 */
error_t parse_common_arg(int key, char *arg, struct argp_state *state)
{
	struct common_env *env = state->input;
	char *end;

	switch (key) {
	case 'j':
		env->json = true;
		break;
	case 'c':
		if (strlen(arg) >= TASK_COMM_LEN) {
			fprintf(stderr, "comm '%s' longer than %d characters\n",
				arg, TASK_COMM_LEN - 1);
			argp_usage(state);
		}
		env->comm = arg;
		break;
	case 'd':
		errno = 0;
		env->duration = strtol(arg, &end, 10);
		if (errno || *end || env->duration <= 0) {
			fprintf(stderr, "invalid duration: %s\n", arg);
			argp_usage(state);
		}
		break;
	case 'v':
		verbose = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * Run until SIGINT/SIGTERM or @duration seconds (0: no limit). @poll, if
 * given, waits up to 100 ms for events; otherwise sleep 100 ms at a time.
 * Returns 0, or @poll's error.
 */
int wait_for_end(int duration, int (*poll)(void *ctx), void *ctx)
{
	time_t end = duration ? time(NULL) + duration : 0;
	int err;

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	while (!exiting && (!end || time(NULL) < end)) {
		if (!poll) {
			usleep(100000);
			continue;
		}
		err = poll(ctx);
		if (err == -EINTR)
			break;
		if (err < 0)
			return err;
	}
	return 0;
}

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

/* Whether the kernel's BTF has function @name, for fentry/fexit */
bool kernel_has_func(const char *name)
{
	return libbpf_find_vmlinux_btf_id(name, BPF_TRACE_FENTRY) > 0;
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
