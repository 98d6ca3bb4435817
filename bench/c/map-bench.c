// The C baseline for bench/libbpf-maps.ts: the same libbpf calls on the same
// map shape, without FFI. Prints one JSON object of ns per entry.
#include <bpf/bpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_SIZE 16
#define VALUE_SIZE 8

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *op, int err)
{
	fprintf(stderr, "%s: %s\n", op, strerror(-err));
	exit(1);
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)atoi(argv[1]) : 100000;
	uint32_t chunk = argc > 2 ? (uint32_t)atoi(argv[2]) : 4096;
	uint8_t *keys = calloc(n, KEY_SIZE), *values = calloc(n, VALUE_SIZE);
	uint8_t *out_keys = calloc(n + chunk, KEY_SIZE), *out_values = calloc(n + chunk, VALUE_SIZE);
	uint8_t in_tok[KEY_SIZE], out_tok[KEY_SIZE], value[VALUE_SIZE];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint64_t t0, t_upd, t_dump, t_del, t_supd, t_slook, t_sdel;
	uint32_t count, total = 0;
	int fd, err;

	for (uint32_t i = 0; i < n; i++) {
		memcpy(keys + i * KEY_SIZE, &i, sizeof(i));
		memcpy(values + i * VALUE_SIZE, &i, sizeof(i));
	}
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "gw_bench_c", KEY_SIZE, VALUE_SIZE, n, NULL);
	if (fd < 0)
		die("map create", fd);

	t0 = now_ns();
	count = n;
	err = bpf_map_update_batch(fd, keys, values, &count, &opts);
	if (err)
		die("map batch update", err);
	t_upd = now_ns() - t0;

	t0 = now_ns();
	for (void *in = NULL;; in = in_tok) {
		count = chunk;
		err = bpf_map_lookup_batch(fd, in, out_tok, out_keys + total * KEY_SIZE, out_values + total * VALUE_SIZE,
					   &count, &opts);
		total += count;
		if (err == -ENOENT)
			break;
		if (err)
			die("map batch lookup", err);
		memcpy(in_tok, out_tok, KEY_SIZE);
	}
	t_dump = now_ns() - t0;
	if (total != n)
		die("map batch lookup count", -EINVAL);

	t0 = now_ns();
	count = n;
	err = bpf_map_delete_batch(fd, keys, &count, &opts);
	if (err)
		die("map batch delete", err);
	t_del = now_ns() - t0;

	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++)
		if ((err = bpf_map_update_elem(fd, keys + i * KEY_SIZE, values + i * VALUE_SIZE, BPF_ANY)))
			die("map update", err);
	t_supd = now_ns() - t0;
	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++)
		if ((err = bpf_map_lookup_elem(fd, keys + i * KEY_SIZE, value)))
			die("map lookup", err);
	t_slook = now_ns() - t0;
	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++)
		if ((err = bpf_map_delete_elem(fd, keys + i * KEY_SIZE)))
			die("map delete", err);
	t_sdel = now_ns() - t0;

	printf("{\"batchUpdate\":%.1f,\"batchDump\":%.1f,\"batchDelete\":%.1f,"
	       "\"update\":%.1f,\"lookup\":%.1f,\"delete\":%.1f}\n",
	       (double)t_upd / n, (double)t_dump / n, (double)t_del / n, (double)t_supd / n, (double)t_slook / n,
	       (double)t_sdel / n);
	return 0;
}
