/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.h - framecap-client --replay: a capture's client bytes sent
 * again to a live server, cut the way the options say.
 *
 *   capture --libpcap--> core engine (the profile framecap would use)
 *           --> per connection: client bytes, segments, frames;
 *               server reply frames
 *           --> shaping (as captured, frames, burst, drip, chunk,
 *               split header, random) --> write() calls on a new
 *               connection to -c HOST:PORT, in the captured order
 *               relative to the replies --> replies compared (--expect)
 *
 * framecap-client's main() hands the whole command line over when it
 * holds --replay; nothing else of the client is used.
 */
#ifndef REPLAY_H
#define REPLAY_H

#include <stdbool.h>

/* True if argv asks for a replay (--replay FILE or --replay=FILE). */
bool replay_requested(int argc, char **argv);

/* The whole replay: parse argv, load the capture, replay, report.
 * Returns the exit status: 0 every connection replayed (and, with
 * --expect, every reply matched); 1 a connection failed, the server
 * closed early, stalled or answered differently; 2 bad usage, or a
 * capture that cannot be replayed. */
int replay_main(int argc, char **argv);

#endif
