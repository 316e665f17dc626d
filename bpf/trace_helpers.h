/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __TRACE_HELPERS_H
#define __TRACE_HELPERS_H

#include <stdbool.h>
#include <stdio.h>
#include <bpf/libbpf.h>

void print_log2_hist(FILE *f, const unsigned int *vals, int vals_size,
		     const char *val_type);
void print_log2_hist_json(FILE *f, const char *name, const unsigned int *vals,
			  int vals_size);
void print_log2_slots_json(FILE *f, const unsigned int *vals, int vals_size);
unsigned long long log2_hist_percentile(const unsigned int *vals, int vals_size,
					unsigned int pct);
bool probe_tp_btf(const char *name);
int libbpf_print_fn(enum libbpf_print_level level, const char *format,
		    va_list args);
extern bool verbose;

#endif /* __TRACE_HELPERS_H */
