/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __TRACE_HELPERS_H
#define __TRACE_HELPERS_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#ifndef TASK_COMM_LEN
#define TASK_COMM_LEN 16
#endif

/* The options every tool shares: -j, -c COMM (where offered), -d, -v, -h */
struct common_env {
	bool json;
	const char *comm;
	int duration;
};

error_t parse_common_arg(int key, char *arg, struct argp_state *state);
int wait_for_end(int duration, int (*poll)(void *ctx), void *ctx);

void print_log2_hist(FILE *f, const unsigned int *vals, int vals_size,
		     const char *val_type);
void print_log2_hist_json(FILE *f, const char *name, const unsigned int *vals,
			  int vals_size);
void print_log2_slots_json(FILE *f, const unsigned int *vals, int vals_size);
unsigned long long log2_hist_percentile(const unsigned int *vals, int vals_size,
					unsigned int pct);
bool probe_tp_btf(const char *name);
bool kernel_has_func(const char *name);
int libbpf_print_fn(enum libbpf_print_level level, const char *format,
		    va_list args);
extern bool verbose;

#endif /* __TRACE_HELPERS_H */
