// Sequential TCP connections to ADDR:PORT: connect, read the server's first
// byte, close; prints the median and 90th percentile in µs as JSON. A C
// client keeps the client's own cost small next to the path being measured.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec t0, t1;
	int n, i;
	double *us;
	char c;

	if (argc != 4)
		return fprintf(stderr, "usage: %s ADDR PORT COUNT\n", argv[0]), 2;
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	sa.sin_port = htons(atoi(argv[2]));
	n = atoi(argv[3]);
	us = calloc(n, sizeof(*us));
	for (i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || read(fd, &c, 1) != 1)
			return perror("connect/read"), 1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		close(fd);
		us[i] = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
	}
	qsort(us, n, sizeof(*us), cmp);
	printf("{\"p50\":%.1f,\"p90\":%.1f}\n", us[n / 2], us[n * 9 / 10]);
	return 0;
}
