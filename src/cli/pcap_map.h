/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcap_map.h - a classic pcap file read through a window mapped from it,
 * its records handed over in place. */
#ifndef FC_PCAP_MAP_H
#define FC_PCAP_MAP_H

#include <pcap/pcap.h>

#include <stdbool.h>
#include <stdint.h>

struct pcap_map;

/* Does the file open on `fd` (a regular file, not yet read from: at
 * offset 0) start like one pcap_map_open may take: a classic pcap header
 * of version 2.4, and FRAMECAP_READER in the environment is not
 * "libpcap"? Then libpcap itself will read little of it (a small stdio
 * buffer is enough). */
bool pcap_map_probe(int fd);

/* Take over reading the savefile `p` that libpcap opened on `fd` (a
 * regular file, at offset 0 when libpcap opened it): NULL when it is not one this reader handles the way
 * libpcap does (pcapng, pcap versions before 2.4, link types framecap
 * does not decode, ...), or when the environment's FRAMECAP_READER is
 * "libpcap"; then libpcap reads it. `p` keeps serving everything else
 * (link type, snapshot length, filters, -w); only its records are read
 * here, from the first record on, whatever libpcap already buffered. */
struct pcap_map *pcap_map_open(pcap_t *p, int fd);

/* pcap_dispatch's contract: `cb` for each record of the next stretch of
 * the file, in order, with a header as libpcap would make it (the
 * microsecond time stamps framecap opens files with) and the bytes in
 * the mapping, valid until `cb` returns. Returns the records handed
 * over; 0 at the end of the file; PCAP_ERROR when the file is malformed
 * or cut (after every record before: pcap_map_error says why, in
 * libpcap's words where libpcap has some); PCAP_ERROR_BREAK once
 * pcap_map_break was called. */
int pcap_map_dispatch(struct pcap_map *m, pcap_handler cb, u_char *user);

/* What pcap_map_dispatch_ahead calls for the record after the one about
 * to be handed over, when it lies whole in the window: its bytes (the
 * first caplen, at most the snapshot length; len is its length on the
 * wire). A hint to fetch what that record will need: it must change
 * nothing, and the bytes are valid only during the call. */
typedef void (*pcap_map_ahead)(u_char *user, const u_char *bytes, uint32_t caplen,
			       uint32_t len);

/* pcap_map_dispatch, with `ahead` (NULL: none) called a record ahead. */
int pcap_map_dispatch_ahead(struct pcap_map *m, pcap_handler cb, pcap_map_ahead ahead,
			    u_char *user);

/* The message for a PCAP_ERROR. */
const char *pcap_map_error(const struct pcap_map *m);

/* Stop soon: async-signal-safe (a flag looked at before each record). */
void pcap_map_break(struct pcap_map *m);

/* Unmap and free (NULL is fine). */
void pcap_map_close(struct pcap_map *m);

#endif
