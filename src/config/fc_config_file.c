/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fc_config_file.c - reading framecap.yaml from a file without blocking on
 * it, trusting it only as ssh trusts its configuration, and never reading
 * more than FC_CONFIG_MAX_BYTES (see the header). */
#include "fc_config_file.h"
#include "fc_config_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int io_error(struct fc_config_error *err, const char *what, int errnum)
{
	fc_config_error_set(err, NULL, "%s: %s", fc_config_tr(what), strerror(errnum));
	return -1;
}

/* Read all of fd, refusing more than FC_CONFIG_MAX_BYTES. The loop (not
 * just st_size) is what enforces the limit: a regular file may grow while
 * we read it. */
static int read_all(int fd, const struct stat *st, char **out, size_t *outlen,
		    struct fc_config_error *err)
{
	size_t cap = S_ISREG(st->st_mode) ? (size_t)st->st_size + 1 : 4096;
	size_t n = 0;
	char *buf = malloc(cap);

	if (!buf) {
		fc_config_error_set(err, NULL, "out of memory");
		return -1;
	}
	for (;;) {
		ssize_t got;

		if (n == cap) {
			size_t ncap = cap * 2;
			char *nbuf;

			if (n > FC_CONFIG_MAX_BYTES)
				break;
			if (ncap > FC_CONFIG_MAX_BYTES + 1)
				ncap = FC_CONFIG_MAX_BYTES + 1;
			if (!(nbuf = realloc(buf, ncap))) {
				free(buf);
				fc_config_error_set(err, NULL, "out of memory");
				return -1;
			}
			buf = nbuf;
			cap = ncap;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			free(buf);
			return io_error(err, FC_N_("cannot read"), e);
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > FC_CONFIG_MAX_BYTES) {
		free(buf);
		fc_config_error_set(err, NULL, "file is larger than 1 MiB");
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

/* Open path for reading without blocking: a FIFO opened for reading
 * waits for a writer, forever if none comes, and would leave the check
 * of its type until too late. Returns the fd with *st, or -1 (errno). */
static int open_nonblocking(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The type and size checks of an open file; 0 or -1 with *err. */
static int check_opened(const struct stat *st, struct fc_config_error *err)
{
	if (S_ISDIR(st->st_mode))
		return io_error(err, FC_N_("cannot read"), EISDIR);
	/* FIFOs, sockets and devices: reading one may block or never end. */
	if (!S_ISREG(st->st_mode)) {
		fc_config_error_set(err, NULL, "not a regular file (a FIFO, socket or device)");
		return -1;
	}
	if (st->st_size > (off_t)FC_CONFIG_MAX_BYTES) {
		fc_config_error_set(err, NULL, "file is larger than 1 MiB (%jd bytes)",
			  (intmax_t)st->st_size);
		return -1;
	}
	return 0;
}

static int load_fd(struct fc_config *cfg, int fd, const struct stat *st,
		   const char *path, struct fc_config_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_all(fd, st, &text, &len, err);

	close(fd);
	if (rc < 0)
		return -1;
	rc = fc_config_parse(cfg, text, len, path, err);
	free(text);
	return rc;
}

/* Why a file found by searching may not be trusted, or NULL: it must be a
 * regular file owned by us or by root, writable by no one else (the rule
 * ssh applies to its configuration files). Whoever can write a file in a
 * shared directory must not choose how our captures are decoded. */
static const char *untrusted(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return S_ISDIR(st->st_mode) ? FC_N_("a directory, not a file")
					    : FC_N_("not a regular file (a FIFO, socket or device)");
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return FC_N_("owned by another user");
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return FC_N_("writable by group or others");
	return NULL;
}

/* Both loads. A named file (searched NULL) must open and read; a file
 * found by searching (searched set: why it was passed over, or NULL) may
 * be absent, unreadable or untrusted, and is then left alone. */
static enum fc_config_found load_path(struct fc_config *cfg, const char *path,
				      struct fc_config_error *err, const char **searched)
{
	struct fc_config_error scratch;
	struct stat st;
	int fd;

	if (!err)
		err = &scratch;
	if (searched)
		*searched = NULL;
	fc_config_error_set(err, path, "%s", "");
	fc_config_init(cfg);
	fd = open_nonblocking(path, &st);
	if (fd < 0 && searched && (errno == ENOENT || errno == ENOTDIR))
		return FC_CONFIG_ABSENT;
	/* Before, a name that stat() could not reach counted as absent; one
	 * we may not read is passed over, not fatal. */
	if (fd < 0 && searched && errno == EACCES) {
		*searched = FC_N_("not readable (permission denied)");
		return FC_CONFIG_SKIPPED;
	}
	if (fd < 0) {
		io_error(err, FC_N_("cannot open"), errno);
		return FC_CONFIG_FAILED;
	}
	if (searched && (*searched = untrusted(&st))) {
		close(fd);
		return FC_CONFIG_SKIPPED;
	}
	if (check_opened(&st, err) < 0) {
		close(fd);
		return FC_CONFIG_FAILED;
	}
	return load_fd(cfg, fd, &st, path, err) == 0 ? FC_CONFIG_LOADED
						     : FC_CONFIG_FAILED;
}

int fc_config_load(struct fc_config *cfg, const char *path,
		   struct fc_config_error *err)
{
	return load_path(cfg, path, err, NULL) == FC_CONFIG_LOADED ? 0 : -1;
}

enum fc_config_found fc_config_load_found(struct fc_config *cfg, const char *path,
					  struct fc_config_error *err,
					  const char **skip_reason)
{
	return load_path(cfg, path, err, skip_reason);
}
