/* bare-responder.c: the baseline for benchmarks: the smallest libfcgi responder, the ceiling
 * any FastCGI application here can reach. Without an argument it answers every request with a
 * fixed 16-byte JSON body; with one, FILE, it answers with FILE's bytes (a CGI answer: headers,
 * an empty line, the body), read once at start: what a cached answer of exactly those bytes
 * can reach through FastCGI when the worker does nothing else (bench/lib.sh, replay_start). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#define REPLAY_MAX	(16 * 1024 * 1024)

/* slurp: FILE's bytes in a malloc'd buffer (the caller's for the process's life), length in
 * *len; exits with a message when it cannot be read or is over REPLAY_MAX. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(REPLAY_MAX);

	if (f == NULL || buf == NULL) {
		fprintf(stderr, "bare-responder: cannot read %s\n", path);
		exit(1);
	}
	*len = fread(buf, 1, REPLAY_MAX, f);
	if (ferror(f) || !feof(f) || *len == 0) {
		fprintf(stderr, "bare-responder: %s is empty, unreadable or over %d bytes\n", path, REPLAY_MAX);
		exit(1);
	}
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	static const char fixed[] = "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 16\r\n\r\n{\"status\":\"ok\"}\n";
	const char *reply = fixed;
	size_t len = sizeof(fixed) - 1;
	FCGX_Request req;

	if (argc > 1)
		reply = slurp(argv[1], &len);
	FCGX_Init();
	FCGX_InitRequest(&req, 0, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(reply, (int)len, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
