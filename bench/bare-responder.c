/* bare-responder.c: the baseline for benchmarks: the smallest libfcgi responder (libfcgi's
 * accept and finish loop, as its documentation gives it). Without an argument it answers every
 * request with a fixed 16-byte JSON body; with FILE, with FILE's bytes (a CGI answer: headers,
 * an empty line, the body), read once at start: what a cached answer of exactly those bytes
 * can reach through FastCGI when the worker does nothing else (bench/lib.sh, replay_start).
 * -c: read each request's input to its end and close the connection at once, without
 * libfcgi's lingering close, as psscript-fcgi does (src/http/fcgi.c, finish): the same loop
 * with the worker's way of closing, to show how much of a ratio is that close. */
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
	int at_once = argc > 1 && strcmp(argv[1], "-c") == 0;
	FCGX_Request req;

	if (argc > 1 + at_once)
		reply = slurp(argv[1 + at_once], &len);
	FCGX_Init();
	FCGX_InitRequest(&req, 0, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		if (at_once) {
			while (FCGX_GetChar(req.in) != EOF)
				;
			FCGX_Detach(&req);
		}
		FCGX_PutStr(reply, (int)len, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
