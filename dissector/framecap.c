/* SPDX-License-Identifier: GPL-2.0-or-later */
/* framecap.c - Wireshark 4.0 plugin: application frames in TCP.
 *
 * The same framing as the framecap command: where a frame ends comes from
 * fc_profile_frame_len() (src/core/fc_profile.c) for every framing
 * (length, varint, ber, delimiter, fixed), and profiles, preludes
 * included, from the same YAML loader (src/core/fc_config.c), so the two
 * cannot disagree.
 *
 *   TCP --(tcp.port 8001, Decode As, or the heuristic)--> dissect_framecap
 *     prefix framings:  tcp_dissect_pdus: get_frame_len -> dissect_frame
 *     delimiter:        dissect_delimited (resumable, bounded search)
 *     both measure() a frame under the direction's rule:
 *        [prelude step 1] -> [step 2] ... -> the profile
 *        (a step that does not fit is skipped; state kept on pass one)
 *   every packet --> the postdissector: records TCP segments of framecap
 *        streams, counts frames per segment, notices FIN/RST inside a frame
 *        and feeds the packet to the core's engine (fc_engine, as the
 *        command decodes it): its diagnoses (adjustment_suspect,
 *        short_frame, ...) become expert infos of that packet
 *
 * State kept across packets (first pass only, never changed afterwards, so
 * a re-dissection shows the same numbers):
 *   conversation  struct stream: the profile, two struct half (directions)
 *   packet        struct pkt_note (key NOTE_PACKET, with its diagnoses:
 *                 struct diag_note) and one struct
 *                 frame_note per frame (key NOTE_FRAME + ordinal in packet)
 * A packet-scoped struct scratch carries what one dissection of one packet
 * learns between the calls TCP makes for it.
 */
#define WS_LOG_DOMAIN "framecap"

#include <wireshark.h>

#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <ws_version.h>
#include <wiretap/pcap-encap.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fc_config.h"
#include "fc_describe.h"
#include "fc_engine.h"
#include "fc_profile.h"
#include "fc_profile_opts.h"

#define FRAMECAP_PORT 8001
#define PREVIEW_CHARS 24
#define PREVIEW_HEX 12

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = "1.0.0";
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_framecap = -1;
static int hf_index = -1;
static int hf_length = -1;
static int hf_payload = -1;
static int hf_payload_len = -1;
static int hf_text = -1;
static int hf_frames_in_segment = -1;
static int hf_segments = -1;
static int hf_profile = -1;
static int hf_error = -1;
static int hf_begins = -1;
static int hf_continues = -1;
static int hf_undecoded = -1;
static int hf_framing = -1;
static int hf_header_len = -1;
static int hf_trailer_len = -1;
static int hf_length_flags = -1;
static int hf_prelude = -1;
static int hf_diagnosis = -1;
static gint ett_framecap = -1;

static expert_field ei_sticky = EI_INIT;
static expert_field ei_split = EI_INIT;
static expert_field ei_framing_error = EI_INIT;
static expert_field ei_not_decoded = EI_INIT;
static expert_field ei_settings = EI_INIT;
static expert_field ei_prelude = EI_INIT;

/* One per anomaly kind the plugin shows (error_kinds and the diagnoses
 * below), named as framecap names it: framecap.oversize, ... */
static expert_field ei_kind[FC_AN__COUNT];

/* The anomaly kinds with an expert info of their own: a frame's bad
 * header and a stream cut inside a frame, found by the plugin itself, and
 * the diagnoses (is_diagnosis: a likely cause), which it takes from
 * framecap's own decoding of the stream (diag_feed). */
static const enum fc_anomaly_kind error_kinds[] = {
	FC_AN_OVERSIZE, FC_AN_NEGATIVE, FC_AN_VARINT_OVERLONG, FC_AN_BER_LENGTH, FC_AN_NO_DELIMITER,
};
static const enum fc_anomaly_kind truncated_kinds[] = { FC_AN_TRUNCATED };

/* A diagnosis: framecap names a likely cause (every *_suspect kind, new
 * ones included, short_frame and zero_run) rather than a failure. */
static gboolean is_diagnosis(enum fc_anomaly_kind k)
{
	const char *name = fc_anomaly_name(k);
	size_t n = strlen(name);

	return k == FC_AN_SHORT_FRAME || k == FC_AN_ZERO_RUN ||
	       (n > 8 && strcmp(name + n - 8, "_suspect") == 0);
}

static dissector_handle_t framecap_handle;
static int hf_tcp_seq = -1, hf_tcp_len = -1, hf_tcp_flags = -1;

/* ---- Preferences: the profile's fields, with its own names ---------- */

static guint pref_length_offset = 0;
static guint pref_length_size = 4;
static gint pref_byte_order = FC_LITTLE_ENDIAN;
static gboolean pref_signed = TRUE;
static const char *pref_length_adjustment = "0";
static guint pref_header_size = 0; /* 0: length_offset + length_size */
static guint pref_max_frame = 16u << 20;
static const char *pref_config = "";
static const char *pref_profile = "";
static gint pref_framing = FC_FRAMING_LENGTH;
static const char *pref_delimiter = ""; /* empty: the profile's */
static guint pref_frame_size = 0; /* 0: the profile's */
static guint pref_varint_max = 0; /* 0: the profile's */
static const char *pref_length_mask = ""; /* empty: the profile's */

static const enum_val_t framing_vals[] = {
	{ "length", "length field (default)", FC_FRAMING_LENGTH },
	{ "varint", "varint length (protobuf, MQTT)", FC_FRAMING_VARINT },
	{ "ber", "BER tag and length (LDAP)", FC_FRAMING_BER },
	{ "delimiter", "delimiter (lines)", FC_FRAMING_DELIMITER },
	{ "fixed", "fixed-size frames", FC_FRAMING_FIXED },
	{ NULL, NULL, -1 }
};

static const enum_val_t byte_order_vals[] = {
	{ "little", "little-endian", FC_LITTLE_ENDIAN },
	{ "big", "big-endian (network order)", FC_BIG_ENDIAN },
	{ NULL, NULL, -1 }
};

/* What the preferences add up to, worked out at the start of each file
 * (init routine) so every stream of a file uses the same settings. */
static struct fc_config settings_cfg;
static struct fc_profile settings_fallback; /* unmapped ports, or forced */
static gboolean settings_forced; /* framecap.profile: every stream */
static char settings_error[768]; /* shown on every framecap packet */
static char settings_config_path[1024];
static guint32 config_ports[FC_CONFIG_MAX_PORTS]; /* tcp.port entries added */
static int n_config_ports;

/* ---- State --------------------------------------------------------- */

/* A TCP segment of one direction, relative sequence numbers [start,end). */
struct seg {
	guint32 pkt, start, end;
	gboolean fresh; /* carried bytes not seen in an earlier segment */
};

struct half {
	guint64 next_index; /* index of the next frame to start */
	gboolean dead; /* a bad length: framing lost for good */
	guint32 dead_pkt;
	guint64 dead_index;
	/* Segments that may still belong to a frame not yet complete. */
	struct seg *segs;
	guint nsegs, capsegs;
	gboolean have_seen;
	guint32 seen_end; /* after the highest stream byte seen */
	gboolean have_framed;
	guint32 framed_end; /* after the last complete frame */
	/* A frame begun and not complete. */
	gboolean open;
	guint32 open_start, open_pkt;
	guint64 open_index, open_len; /* open_len 0: header incomplete */
	gboolean ended; /* FIN or RST seen */
	/* The prelude (first pass): steps left from pre_at to pre_n. */
	gboolean pre_set; /* pre_* decided (at the direction's first data) */
	guint8 pre_dir; /* enum fc_direction */
	guint8 pre_at, pre_n;
	guint32 pre_frames; /* frames read by step pre_at */
	/* Start of each prelude frame -> its step + 1, for later passes. */
	wmem_map_t *pre_frames_at;
	/* A delimiter searched for in the frame starting at dscan_start
	 * (first pass): the first dscan_have bytes are done. */
	gboolean dscan_on;
	guint32 dscan_start, dscan_have;
	struct fc_delim_scan dscan;
};

struct stream {
	struct fc_profile prof;
	gboolean prof_from_port; /* chosen by the configuration's ports */
	guint32 server; /* the server's port: its direction is s2c */
	address addr0; /* sender of direction 0 */
	guint32 port0;
	struct half half[2];
};

enum { NOTE_PACKET = 0, NOTE_FRAME = 1 };

/* Per packet, first pass. */
struct pkt_note {
	guint frames; /* frames with bytes in this segment */
	gboolean begins; /* a frame begins here and completes later */
	gboolean continues; /* ... or began earlier: only its header so far */
	guint64 begins_index, begins_len;
	gint64 begins_field; /* the length field's value, when complete */
	guint begins_bytes, begins_header;
	const char *truncated; /* FIN/RST inside a frame: the message */
	struct diag_note *diag; /* what framecap diagnosed at this packet */
};

/* A diagnosis framecap's own decoding made while this packet was fed to
 * it (first pass), in fc_describe's words. */
struct diag_note {
	enum fc_anomaly_kind kind;
	const char *line;
	struct diag_note *next;
};

/* Per frame, first pass. */
struct frame_note {
	guint64 index;
	guint segments;
	gboolean header_split;
};

/* A framecap subtree of this dissection, completed by the postdissector. */
struct shown {
	proto_item *ti;
	proto_tree *t;
	struct frame_note *fn; /* NULL: not a good frame */
	guint32 start, end; /* the frame's stream bytes */
	gboolean reassembled; /* from bytes of several packets */
	gboolean bad; /* a bad or incomplete header */
};

/* Per dissection of one packet. */
struct scratch {
	guint ordinal; /* frames dissected so far in this packet */
	gboolean error_seen; /* a bad length in this packet */
	gboolean begins;
	gboolean info_started; /* the Info column holds framecap's text */
	gboolean settings_shown;
	struct half *h; /* the direction of this packet */
	struct shown *shown;
	guint nshown, capshown;
};

/* Handed through tcp_dissect_pdus to its two callbacks. */
struct call {
	struct tcpinfo *tcp;
	struct stream *st;
	struct half *h;
	int last_offset;
	guint64 last_len;
	gint64 last_field;
	/* What measure() said about the frame at last_offset. */
	int status; /* enum fc_frame_status */
	struct fc_frame_len fl;
	const struct fc_profile *rule; /* NULL: a bytes_one_of step */
	guint step; /* prelude step + 1; 0: the profile */
};

/* ---- Settings ------------------------------------------------------ */

static gboolean file_exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

static void config_ports_update(void)
{
	dissector_table_t table = find_dissector_table("tcp.port");
	guint32 want[FC_CONFIG_MAX_PORTS];
	int nwant = 0;

	for (int i = 0; i < settings_cfg.nports; i++)
		want[nwant++] = settings_cfg.ports[i].port;
	/* Forget ports the previous configuration added. */
	for (int i = 0; i < n_config_ports; i++) {
		gboolean keep = FALSE;
		for (int j = 0; j < nwant; j++)
			keep |= want[j] == config_ports[i];
		if (!keep && dissector_get_uint_handle(table, config_ports[i]) == framecap_handle)
			dissector_delete_uint("tcp.port", config_ports[i], framecap_handle);
	}
	n_config_ports = 0;
	/* A port another dissector owns stays with it: Decode As decides. */
	for (int j = 0; j < nwant; j++) {
		dissector_handle_t cur = dissector_get_uint_handle(table, want[j]);
		if (cur == NULL)
			dissector_add_uint("tcp.port", want[j], framecap_handle);
		if (cur == NULL || cur == framecap_handle)
			config_ports[n_config_ports++] = want[j];
	}
}

/* One framing preference as the command's option `opt` takes its text;
 * a value it refuses is named in settings_error (the first one only). */
static void framing_pref(struct fc_profile_opts *po, int opt, const char *name,
			 const char *text)
{
	const char *e = NULL;

	if (fc_profile_opts_take(po, opt, text, &e) < 0 && !settings_error[0])
		snprintf(settings_error, sizeof(settings_error), "framecap.%s '%s': %s", name,
			 text, e ? e : "invalid value");
}

/* The framing preferences: those left at their default are not given, so
 * the profile's own values stand (as the command's options). */
static void framing_prefs(struct fc_profile_opts *po)
{
	if (pref_framing != FC_FRAMING_LENGTH)
		framing_pref(po, FC_OPT_FRAMING, "framing",
			     fc_framing_name((enum fc_framing)pref_framing));
	if (pref_delimiter && *pref_delimiter)
		framing_pref(po, FC_OPT_DELIMITER, "delimiter", pref_delimiter);
	/* Numbers as they are: the profile check says what range holds. */
	po->frame_size = pref_frame_size != 0;
	po->v.frame_size = pref_frame_size;
	po->varint_max = pref_varint_max != 0;
	po->v.varint_max_bytes = pref_varint_max;
	if (pref_length_mask && *pref_length_mask)
		framing_pref(po, FC_OPT_LENGTH_MASK, "length_mask", pref_length_mask);
}

/* A message of the shared option code in the preferences' names:
 * "--frame-size needs --framing fixed" becomes "framecap.frame_size needs
 * framecap.framing fixed". */
static void pref_names(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 1 < len; p++) {
		if (p[0] == '-' && p[1] == '-' && g_ascii_islower(p[2]) &&
		    (p == in || p[-1] == ' ' || p[-1] == '(')) {
			const char *name = "framecap.";
			while (*name && o + 1 < len)
				out[o++] = *name++;
			for (p += 2; (g_ascii_islower(*p) || *p == '-') && o + 1 < len; p++)
				out[o++] = *p == '-' ? '_' : *p;
			p--;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* The preferences as the framecap command's options: a field set to
 * something else than the default profile's value overrides the profile
 * chosen by framecap.profile, or the fallback for unmapped ports. */
static void settings_load(void)
{
	struct fc_profile def, *p = &settings_fallback;
	struct fc_profile_opts po = { 0 };
	struct fc_config_error err;
	const char *path = NULL, *e;
	char msg[600];
	bool forced;
	int64_t adj = 0;

	settings_error[0] = '\0';
	settings_config_path[0] = '\0';
	fc_config_init(&settings_cfg);
	if (pref_config && *pref_config) {
		path = pref_config;
	} else {
		const char *home = g_getenv("HOME");
		if (home) {
			snprintf(settings_config_path, sizeof(settings_config_path),
				 "%s/.config/framecap/framecap.yaml", home);
			if (file_exists(settings_config_path))
				path = settings_config_path;
		}
	}
	if (path) {
		if (path != settings_config_path)
			snprintf(settings_config_path, sizeof(settings_config_path), "%s", path);
		if (fc_config_load(&settings_cfg, path, &err) != 0) {
			fc_config_error_format(&err, msg, sizeof(msg));
			snprintf(settings_error, sizeof(settings_error),
				 "framecap.config: %s", msg);
			fc_config_init(&settings_cfg);
		}
	} else {
		settings_config_path[0] = '\0';
	}

	/* The preferences are the command's options: a field set to something
	 * else than the default profile's value is given. The same call as
	 * framecap's chooses the fallback and changes every profile. */
	fc_profile_default(&def);
	if (pref_profile && *pref_profile)
		po.profile_name = pref_profile;
	po.offset = pref_length_offset != def.length_offset;
	po.v.length_offset = pref_length_offset;
	po.size = pref_length_size != def.length_size;
	po.v.length_size = pref_length_size;
	po.order = pref_byte_order != (gint)def.byte_order;
	po.v.byte_order = pref_byte_order == FC_BIG_ENDIAN ? FC_BIG_ENDIAN : FC_LITTLE_ENDIAN;
	po.sign = pref_signed != def.is_signed;
	po.v.is_signed = pref_signed;
	e = fc_parse_i64(pref_length_adjustment && *pref_length_adjustment
				 ? pref_length_adjustment : "0",
			 INT64_MIN, INT64_MAX, &adj);
	if (e && !settings_error[0])
		snprintf(settings_error, sizeof(settings_error),
			 "framecap.length_adjustment '%s': %s", pref_length_adjustment, e);
	po.adjustment = !e && adj != def.length_adjustment;
	po.v.length_adjustment = adj;
	po.max = pref_max_frame != def.max_frame;
	po.v.max_frame = pref_max_frame;
	po.header = pref_header_size != 0;
	po.v.header_size = pref_header_size;
	framing_prefs(&po);

	if (fc_profile_opts_choose(&po, &settings_cfg, p, &forced, msg, sizeof(msg)) != 0) {
		if (!settings_error[0] && po.profile_name && strstr(msg, "no such profile"))
			snprintf(settings_error, sizeof(settings_error),
				 "framecap.profile: no profile named '%s'%s", pref_profile,
				 settings_cfg.nprofiles ? " in the configuration"
							: " (no configuration file loaded)");
		else if (!settings_error[0]) {
			char named[600];
			pref_names(strchr(msg, ':') ? strchr(msg, ':') + 2 : msg, named,
				   sizeof(named));
			snprintf(settings_error, sizeof(settings_error),
				 "framecap preferences: %s; the default framing is used", named);
		}
		fc_profile_default(p);
		forced = FALSE;
		fc_config_init(&settings_cfg);
	}
	settings_forced = forced;
	config_ports_update();
	if (settings_error[0])
		ws_warning("%s", settings_error);
}

static void diag_start(void);

static void framecap_init(void)
{
	settings_load();
	diag_start();
}

static void diag_stop(void);

static void framecap_cleanup(void)
{
	diag_stop();
}

/* The profile of a new stream: framecap.profile, else the configuration's
 * entry for the server port, then the client port, else the fallback. */
static void stream_pick_profile(struct stream *st, packet_info *pinfo)
{
	const struct fc_profile *p;
	guint32 server, client;
	struct tcp_analysis *tcpd = get_tcp_conversation_data(NULL, pinfo);

	if (tcpd && tcpd->server_port &&
	    (tcpd->server_port == pinfo->srcport || tcpd->server_port == pinfo->destport))
		server = tcpd->server_port;
	else /* no SYN seen: the lower port, as the command guesses */
		server = MIN(pinfo->srcport, pinfo->destport);
	client = server == pinfo->srcport ? pinfo->destport : pinfo->srcport;
	p = fc_profile_pick(&settings_cfg, settings_forced ? &settings_fallback : NULL,
			    &settings_fallback, (uint16_t)server, (uint16_t)client);
	st->prof_from_port = p != &settings_fallback;
	st->server = server;
	st->prof = *p;
}

static struct stream *stream_get(packet_info *pinfo)
{
	conversation_t *conv = find_or_create_conversation(pinfo);
	struct stream *st = conversation_get_proto_data(conv, proto_framecap);

	if (!st) {
		st = wmem_new0(wmem_file_scope(), struct stream);
		stream_pick_profile(st, pinfo);
		copy_address_wmem(wmem_file_scope(), &st->addr0, &pinfo->src);
		st->port0 = pinfo->srcport;
		conversation_add_proto_data(conv, proto_framecap, st);
	}
	return st;
}

static struct stream *stream_find(packet_info *pinfo)
{
	conversation_t *conv = find_conversation_pinfo(pinfo, 0);
	return conv ? conversation_get_proto_data(conv, proto_framecap) : NULL;
}

static struct half *stream_half(struct stream *st, packet_info *pinfo)
{
	gboolean fwd = addresses_equal(&st->addr0, &pinfo->src) && st->port0 == pinfo->srcport;
	return &st->half[fwd ? 0 : 1];
}

static struct scratch *scratch_get(packet_info *pinfo)
{
	struct scratch *s = p_get_proto_data(pinfo->pool, pinfo, proto_framecap, 0);

	if (!s) {
		s = wmem_new0(pinfo->pool, struct scratch);
		p_add_proto_data(pinfo->pool, pinfo, proto_framecap, 0, s);
	}
	return s;
}

static struct pkt_note *pkt_note_get(packet_info *pinfo, gboolean create)
{
	struct pkt_note *n = p_get_proto_data(wmem_file_scope(), pinfo, proto_framecap, NOTE_PACKET);

	if (!n && create) {
		n = wmem_new0(wmem_file_scope(), struct pkt_note);
		p_add_proto_data(wmem_file_scope(), pinfo, proto_framecap, NOTE_PACKET, n);
	}
	return n;
}

/* ---- Segments: how many a frame spans ------------------------------ */

/* Record a segment's bytes [start,end) of one direction (first pass). A
 * segment whose bytes all came before (a retransmission) is not fresh and
 * counts for no frame, as the command keeps the first copy.
 *
 * After a bad length nothing more is recorded, but for the packet that
 * carried it: a frame reassembled from earlier segments may complete in
 * that same packet, before the bad header, and it spans this segment too.
 * TCP calls the dissector for such a packet only with is_reassembled set
 * (also for the bytes after the reassembled frame), so it is the
 * postdissector, after dissect_frame has set h->dead, that records it. */
static void seg_record(struct half *h, guint32 pkt, guint32 start, guint32 end)
{
	gboolean fresh = TRUE;

	if (!LT_SEQ(start, end) || (h->dead && pkt != h->dead_pkt) || h->ended)
		return;
	if (h->have_framed && LE_SEQ(end, h->framed_end)) {
		fresh = FALSE; /* all before the last complete frame's end */
	} else if (h->have_seen && LT_SEQ(start, h->seen_end)) {
		/* Not simply new bytes at the end (the usual case): the same
		 * segment again (TCP called us, then the postdissector), a
		 * retransmission, or an out-of-order segment filling a hole. */
		for (guint i = h->nsegs; i-- > 0 && fresh;) {
			const struct seg *s = &h->segs[i];
			if (s->pkt == pkt && s->start == start && s->end == end)
				return;
			if (LE_SEQ(s->start, start) && GE_SEQ(s->end, end))
				fresh = FALSE;
		}
	}
	if (h->nsegs == h->capsegs) {
		h->capsegs = h->capsegs ? 2 * h->capsegs : 8;
		h->segs = wmem_realloc(wmem_file_scope(), h->segs, h->capsegs * sizeof(*h->segs));
	}
	h->segs[h->nsegs].pkt = pkt;
	h->segs[h->nsegs].start = start;
	h->segs[h->nsegs].end = end;
	h->segs[h->nsegs].fresh = fresh;
	h->nsegs++;
	if (!h->have_seen || GT_SEQ(end, h->seen_end)) {
		h->seen_end = end;
		h->have_seen = TRUE;
	}
}

/* Packets holding fresh bytes of [start,end); *with_pkt when `pkt` is one
 * of them; *header_split when the first one ends inside the header. */
static guint seg_count(const struct half *h, guint32 start, guint32 end, guint32 header,
		       guint32 pkt, gboolean *with_pkt, gboolean *header_split)
{
	guint n = 0;
	guint32 last = 0;

	*with_pkt = *header_split = FALSE;
	for (guint i = 0; i < h->nsegs; i++) {
		const struct seg *s = &h->segs[i];
		if (!s->fresh || !LT_SEQ(s->start, end) || !GT_SEQ(s->end, start))
			continue;
		/* A packet's entries are adjacent: they are recorded while
		 * that packet is dissected. */
		if (n == 0 || s->pkt != last)
			n++;
		last = s->pkt;
		*with_pkt |= s->pkt == pkt;
		if (LE_SEQ(s->start, start) && GT_SEQ(s->end, start) &&
		    (guint32)(s->end - start) < header)
			*header_split = TRUE;
	}
	return n;
}

/* Bytes up to `end` are framed: forget the segments wholly before. */
static void seg_framed(struct half *h, guint32 end)
{
	guint j = 0;

	if (!h->have_framed || GT_SEQ(end, h->framed_end))
		h->framed_end = end;
	h->have_framed = TRUE;
	for (guint i = 0; i < h->nsegs; i++)
		if (GT_SEQ(h->segs[i].end, h->framed_end))
			h->segs[j++] = h->segs[i];
	h->nsegs = j;
}

/* ---- Text ---------------------------------------------------------- */

/* Printable UTF-8: no control characters but tab, CR and LF, no NUL. */
static gboolean is_text(const guint8 *p, guint n)
{
	const gchar *s = (const gchar *)p, *end = s + n;

	if (n == 0 || !g_utf8_validate_len(s, n, NULL))
		return FALSE;
	while (s < end) {
		gunichar c = g_utf8_get_char(s);
		if (g_unichar_iscntrl(c) && c != '\t' && c != '\r' && c != '\n')
			return FALSE;
		s = g_utf8_next_char(s);
	}
	return TRUE;
}

/* `"kinght love "` or hex, for the Info column. */
static const char *preview(wmem_allocator_t *pool, const guint8 *p, guint n, guint total)
{
	wmem_strbuf_t *b = wmem_strbuf_new(pool, "");

	if (n == 0)
		return "";
	if (is_text(p, n)) {
		const gchar *s = (const gchar *)p, *end = s + n;
		guint chars = 0;

		wmem_strbuf_append_c(b, '"');
		while (s < end && chars < PREVIEW_CHARS) {
			gunichar c = g_utf8_get_char(s);
			if (c == '\n')
				wmem_strbuf_append(b, "\\n");
			else if (c == '\r')
				wmem_strbuf_append(b, "\\r");
			else if (c == '\t')
				wmem_strbuf_append(b, "\\t");
			else if (c == '"' || c == '\\')
				wmem_strbuf_append_printf(b, "\\%c", (char)c);
			else
				wmem_strbuf_append_unichar(b, c);
			s = g_utf8_next_char(s);
			chars++;
		}
		wmem_strbuf_append(b, s < end || n < total ? "...\"" : "\"");
	} else {
		guint i;
		for (i = 0; i < n && i < PREVIEW_HEX; i++)
			wmem_strbuf_append_printf(b, "%02x", p[i]);
		if (i < total)
			wmem_strbuf_append(b, "...");
	}
	return wmem_strbuf_get_str(b);
}

static void info_add(packet_info *pinfo, struct scratch *sc, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

/* One entry per frame; the first replaces what TCP wrote. */
static void info_add(packet_info *pinfo, struct scratch *sc, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = wmem_strdup_vprintf(pinfo->pool, fmt, ap);
	va_end(ap);
	col_set_str(pinfo->cinfo, COL_PROTOCOL, "framecap");
	if (!sc->info_started)
		col_clear(pinfo->cinfo, COL_INFO);
	sc->info_started = TRUE;
	col_append_sep_str(pinfo->cinfo, COL_INFO, " ", s);
}

static struct shown *keep_tree(packet_info *pinfo, struct scratch *sc, proto_item *ti,
			       proto_tree *t)
{
	struct shown *x;

	if (sc->nshown == sc->capshown) {
		sc->capshown = sc->capshown ? 2 * sc->capshown : 8;
		sc->shown = wmem_realloc(pinfo->pool, sc->shown, sc->capshown * sizeof(*sc->shown));
	}
	x = &sc->shown[sc->nshown++];
	memset(x, 0, sizeof(*x));
	x->ti = ti;
	x->t = t;
	return x;
}

/* Once per packet: the preferences or the file could not be used. */
static void settings_note(packet_info *pinfo, proto_item *ti)
{
	struct scratch *sc = scratch_get(pinfo);

	if (settings_error[0] && !sc->settings_shown) {
		expert_add_info_format(pinfo, ti, &ei_settings, "%s", settings_error);
		sc->settings_shown = TRUE;
	}
}

/* ---- Dissection ---------------------------------------------------- */

/* ---- Framing: the core's rule, with the prelude ------------------- */

/* packet-tcp.c's tcp_flow_t.static_flags (not in its installed header):
 * TCP_S_SAW_SYN is 0x03 and TCP_S_SAW_SYNACK 0x05 with 0x01 "base seq
 * set", so 0x02 and 0x04 say this direction's SYN or SYN-ACK was seen. */
#define WS_TCP_SAW_SYN_BITS 0x06

/* Decide, at the first data of a direction (first pass), which prelude
 * steps it reads: its profile's for its side (c2s/s2c), only when its SYN
 * or SYN-ACK was seen; a capture begun mid-connection reads none. */
static void prelude_begin(struct half *h, const struct stream *st, packet_info *pinfo)
{
	struct tcp_analysis *tcpd;
	guint32 n = 0;

	if (h->pre_set)
		return;
	h->pre_set = TRUE;
	h->pre_frames_at = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
	h->pre_dir = pinfo->destport == st->server ? FC_DIR_C2S : FC_DIR_S2C;
	tcpd = get_tcp_conversation_data(NULL, pinfo);
	if (!tcpd || !tcpd->fwd || !(tcpd->fwd->static_flags & WS_TCP_SAW_SYN_BITS))
		return;
	fc_prelude_steps(&st->prof, (enum fc_direction)h->pre_dir, &n);
	h->pre_n = (guint8)MIN(n, FC_PRELUDE_STEPS);
}

static const struct fc_prelude_step *prelude_step(const struct stream *st,
						  const struct half *h, guint at)
{
	return &st->prof.prelude->steps[h->pre_dir][at];
}

/* The step pre_at is over: the next one, or the profile (first pass). */
static void prelude_next(struct half *h)
{
	h->pre_frames = 0;
	if (h->pre_at < h->pre_n)
		h->pre_at++;
}

/* The rule for the frame that starts at stream byte `start`: on the first
 * pass the direction's prelude state, later what the first pass stored.
 * *step: prelude step + 1, or 0 for the profile; NULL: a bytes_one_of. */
static const struct fc_profile *rule_at(const struct call *c, packet_info *pinfo,
					guint32 start, guint *step)
{
	const struct half *h = c->h;
	const struct fc_prelude_step *ps;

	if (PINFO_FD_VISITED(pinfo)) {
		*step = h->pre_frames_at ? GPOINTER_TO_UINT(wmem_map_lookup(
						   h->pre_frames_at, GUINT_TO_POINTER(start)))
					 : 0;
		if (*step == 0 || !c->st->prof.prelude || *step > FC_PRELUDE_STEPS)
			return (*step = 0), &c->st->prof;
	} else {
		if (h->pre_at >= h->pre_n)
			return (*step = 0), &c->st->prof;
		*step = h->pre_at + 1u;
	}
	ps = prelude_step(c->st, h, *step - 1);
	return ps->kind == FC_PRELUDE_PROFILE ? &ps->profile : NULL;
}

/* A delimiter searched for from `offset` in the bytes at hand, at most
 * max_frame + the delimiter's length of them. On the first pass a frame
 * that asks for more segments resumes its search where it stopped
 * (fc_delim_scan), so a long line costs linear work, not quadratic. */
static int measure_delim(struct call *c, packet_info *pinfo, tvbuff_t *tvb, int offset,
			 const struct fc_profile *p, struct fc_frame_len *fl)
{
	struct half *h = c->h;
	guint avail = tvb_captured_length_remaining(tvb, offset);
	guint64 limit = p->max_frame + p->delimiter_len;
	guint n = (guint64)avail < limit ? avail : (guint)limit;
	guint32 start = c->tcp->seq + (guint32)offset;
	struct fc_delim_scan scan = { 0 };
	guint from = 0;
	const guint8 *b;
	size_t end;

	memset(fl, 0, sizeof(*fl));
	if (n == 0) {
		fl->need = 1;
		return FC_FRAME_NEED_MORE;
	}
	b = tvb_get_ptr(tvb, offset, n);
	if (!PINFO_FD_VISITED(pinfo) && h->dscan_on && h->dscan_start == start &&
	    h->dscan_have <= n) {
		from = h->dscan_have;
		scan = h->dscan;
	}
	end = fc_delim_scan(p, &scan, b + from, n - from);
	if (end <= n - from) /* found: the core's answer for exactly that frame */
		return fc_profile_frame_len(p, b, from + end, fl);
	if ((guint64)n >= limit) /* none within max_frame: the core says so, */
		return fc_profile_frame_len(p, tvb_get_ptr(tvb, offset, avail), avail, fl);
	/* (of all the bytes at hand, as framecap counts them) */
	if (!PINFO_FD_VISITED(pinfo)) {
		h->dscan_on = TRUE;
		h->dscan_start = start;
		h->dscan_have = n;
		h->dscan = scan;
	}
	fl->length = (gint64)(n - scan.matched);
	fl->header_len = 0;
	fl->trailer_len = p->delimiter_len;
	fl->need = (guint64)n + 1;
	return FC_FRAME_NEED_MORE;
}

/* Where does the frame at `offset` end? The core's fc_profile_frame_len()
 * under the rule in force there (a prelude step, or the profile); a step
 * whose bytes do not fit is skipped on the first pass. Fills c->status,
 * c->fl, c->rule, c->step. */
static int measure(struct call *c, packet_info *pinfo, tvbuff_t *tvb, int offset)
{
	guint avail = tvb_captured_length_remaining(tvb, offset);
	guint32 start = c->tcp->seq + (guint32)offset;

	for (;;) {
		const struct fc_profile *r = rule_at(c, pinfo, start, &c->step);
		guint8 hdr[FC_MAX_LENGTH_FIELD_END];
		guint n = MIN(avail, FC_MAX_LENGTH_FIELD_END);
		int st;

		c->rule = r;
		memset(&c->fl, 0, sizeof(c->fl));
		if (r && r->framing == FC_FRAMING_DELIMITER) {
			st = measure_delim(c, pinfo, tvb, offset, r, &c->fl);
		} else {
			tvb_memcpy(tvb, hdr, offset, n);
			if (c->step) /* a prelude step: the core's rule for it */
				st = fc_prelude_frame_len(prelude_step(c->st, c->h, c->step - 1),
							  hdr, n, &c->fl);
			else
				st = fc_profile_frame_len(r, hdr, MIN(n, MAX(fc_profile_header_max(r), 1u)),
							  &c->fl);
		}
		if (st == FC_FRAME_OK && c->fl.frame_len > G_MAXINT32)
			st = FC_FRAME_OVERSIZE;
		if (c->step && st != FC_FRAME_OK && st != FC_FRAME_NEED_MORE) {
			if (PINFO_FD_VISITED(pinfo))
				return c->status = st; /* not stored: cannot happen */
			prelude_next(c->h);
			continue;
		}
		return c->status = st;
	}
}

/* The least bytes every rule of the stream needs before it can answer:
 * tcp_dissect_pdus's fixed_len (a rule that needs more asks with 0). */
static guint fixed_len_of(const struct stream *st)
{
	guint least = st->prof.framing == FC_FRAMING_LENGTH ? fc_profile_length_end(&st->prof)
			: st->prof.framing == FC_FRAMING_VARINT ? st->prof.length_offset + 1
			: st->prof.framing == FC_FRAMING_BER ? 2 : 1;

	if (st->prof.prelude)
		least = 1; /* a step's choice may be shorter */
	return MAX(least, 1u);
}

static guint get_frame_len(packet_info *pinfo, tvbuff_t *tvb, int offset, void *data)
{
	struct call *c = data;
	guint rest = tvb_reported_length_remaining(tvb, offset);
	int st;

	c->last_offset = offset;
	c->last_len = 0;
	st = measure(c, pinfo, tvb, offset);
	if (st == FC_FRAME_NEED_MORE) {
		/* 0 asks tcp_dissect_pdus for one more segment; it asserts
		 * that it can reassemble, so without that show what there is. */
		if (pinfo->can_desegment &&
		    (guint)tvb_captured_length_remaining(tvb, offset) == rest)
			return 0;
		return rest;
	}
	if (st == FC_FRAME_OK) {
		c->last_len = c->fl.frame_len;
		c->last_field = c->fl.length;
		return (guint)c->fl.frame_len;
	}
	/* A bad length is never 0 ("need more"): the rest of the data is the
	 * bad frame, and dissect_frame ends the direction's decoding. */
	return rest;
}

/* An error of the new framings (varint, BER, delimiter) as an expert
 * item, in the command's words (fc_describe.h). */
static void framing_expert(packet_info *pinfo, proto_item *it, int status,
			   const struct fc_profile *p, const struct fc_frame_len *fl,
			   guint64 index)
{
	struct fc_anomaly a = { .frame = index };
	char line[FC_DESCRIBE_MAX];
	expert_field *ei;

	switch (status) {
	case FC_FRAME_VARINT_OVERLONG:
		a.kind = FC_AN_VARINT_OVERLONG;
		a.u.varint.value = (uint64_t)fl->length;
		a.u.varint.max_bytes = p->varint_max_bytes;
		ei = &ei_kind[FC_AN_VARINT_OVERLONG];
		break;
	case FC_FRAME_BER_LENGTH:
		a.kind = FC_AN_BER_LENGTH;
		a.u.ber.length_byte = (uint8_t)fl->length;
		ei = &ei_kind[FC_AN_BER_LENGTH];
		break;
	default:
		a.kind = FC_AN_NO_DELIMITER;
		a.u.no_delimiter.searched = (uint64_t)fl->length;
		a.u.no_delimiter.max_frame = p->max_frame;
		ei = &ei_kind[FC_AN_NO_DELIMITER];
		break;
	}
	fc_anomaly_describe(&a, line, sizeof(line));
	expert_add_info_format(pinfo, it, ei, "%s", line);
}

/* One frame (tcp_dissect_pdus's or the delimiter loop's callback), with
 * what measure() found at its start in `data` (struct call). */
static int dissect_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
	struct call *c = data;
	const struct fc_profile *p = c->rule ? c->rule : &c->st->prof;
	struct half *h = c->h;
	struct scratch *sc = scratch_get(pinfo);
	guint ord = sc->ordinal;
	guint avail = tvb_captured_length(tvb), rep = tvb_reported_length(tvb);
	struct fc_frame_len fl = c->fl;
	int status = c->status;
	guint need = (guint)MIN(MAX(fl.header_len, 1), FC_MAX_LENGTH_FIELD_END);
	guint hs = (guint)MIN(fl.header_len, rep);
	struct frame_note *fn;
	proto_item *ti, *it;
	proto_tree *t;
	struct shown *x;
	guint32 start = c->tcp->seq + (guint32)c->last_offset;
	gboolean prefix_len = c->rule && c->rule->framing == FC_FRAMING_LENGTH;
	const char *pre = c->step ? "prelude " : "";

	if (prefix_len)
		need = fc_profile_length_end(p);

	fn = p_get_proto_data(wmem_file_scope(), pinfo, proto_framecap, NOTE_FRAME + ord);
	if (!fn && PINFO_FD_VISITED(pinfo)) {
		/* Not seen on the first pass (cannot happen with TCP's own
		 * reassembly): show it without changing any state. */
		fn = wmem_new0(pinfo->pool, struct frame_note);
		fn->index = h->next_index;
		fn->segments = 1;
	} else if (!fn) {
		fn = wmem_new0(wmem_file_scope(), struct frame_note);
		fn->index = h->next_index++;
		fn->segments = 1; /* if reassembled: counted by the postdissector */
		h->dscan_on = FALSE;
		if (status == FC_FRAME_OK) {
			h->open = FALSE;
			if (c->step) {
				const struct fc_prelude_step *ps = prelude_step(c->st, h, c->step - 1);
				wmem_map_insert(h->pre_frames_at, GUINT_TO_POINTER(start),
						GUINT_TO_POINTER(c->step));
				if (ps->kind == FC_PRELUDE_BYTES_ONE_OF ||
				    ++h->pre_frames >= ps->max_frames)
					prelude_next(h);
			}
		} else if (status != FC_FRAME_NEED_MORE) {
			h->dead = TRUE;
			h->dead_pkt = pinfo->num;
			h->dead_index = fn->index;
			h->open = FALSE;
		}
		p_add_proto_data(wmem_file_scope(), pinfo, proto_framecap, NOTE_FRAME + ord, fn);
	}
	sc->ordinal++;

	ti = proto_tree_add_item(tree, proto_framecap, tvb, 0, -1, ENC_NA);
	t = proto_item_add_subtree(ti, ett_framecap);
	it = proto_tree_add_uint64(t, hf_index, tvb, 0, 0, fn->index);
	proto_item_set_generated(it);
	it = proto_tree_add_string(t, hf_profile, tvb, 0, 0, c->st->prof.name);
	proto_item_set_generated(it);
	it = proto_tree_add_string(t, hf_framing, tvb, 0, 0,
				   c->rule ? fc_framing_name(c->rule->framing) : "bytes_one_of");
	proto_item_set_generated(it);
	if (c->step) {
		it = proto_tree_add_uint(t, hf_prelude, tvb, 0, 0, c->step);
		proto_item_set_generated(it);
		expert_add_info_format(pinfo, it, &ei_prelude,
				       "Prelude frame: read by prelude step %u of the %s direction",
				       c->step, h->pre_dir == FC_DIR_C2S ? "c2s" : "s2c");
	}
	settings_note(pinfo, ti);

	if (status == FC_FRAME_NEED_MORE) {
		/* Only when TCP could not reassemble (tcp.desegment off). */
		proto_item_append_text(ti, ", frame #%" PRIu64 ": incomplete, %u bytes",
				       fn->index, avail);
		proto_tree_add_string(t, hf_error, tvb, 0, avail, "incomplete frame");
		info_add(pinfo, sc, "#%" PRIu64 " incomplete %u B", fn->index, avail);
		keep_tree(pinfo, sc, ti, t)->bad = TRUE;
		return avail;
	}

	if (c->rule && c->rule->framing != FC_FRAMING_DELIMITER &&
	    c->rule->framing != FC_FRAMING_FIXED)
	{
		/* The field's bytes: the length field, the varint, or BER's
		 * length bytes after the tag. */
		guint from = prefix_len ? p->length_offset
			     : p->framing == FC_FRAMING_BER ? 1u : p->length_offset;
		guint to = prefix_len ? fc_profile_length_end(p) : (guint)MIN(fl.header_len, 64u);

		from = MIN(from, avail);
		to = MAX(MIN(to, avail), from);
		proto_tree_add_int64(t, hf_length, tvb, (gint)from, (gint)(to - from), fl.length);
	}

	if (status != FC_FRAME_OK) {
		const char *kind = status == FC_FRAME_NEGATIVE ? "negative"
				   : status == FC_FRAME_OVERSIZE ? "oversize"
				   : status == FC_FRAME_VARINT_OVERLONG ? "varint_overlong"
				   : status == FC_FRAME_BER_LENGTH ? "ber_length" : "no_delimiter";
		guint bad = MIN(need, avail);
		sc->error_seen = TRUE;
		proto_item_append_text(ti, ", frame #%" PRIu64 ": BAD length %" PRId64 " (%s)",
				       fn->index, fl.length, kind);
		it = proto_tree_add_string(t, hf_error, tvb, 0, bad, kind);
		if (status == FC_FRAME_NEGATIVE)
			expert_add_info_format(pinfo, it, &ei_kind[FC_AN_NEGATIVE],
					       "Negative length: frame #%" PRIu64 " length %" PRId64
					       " is negative, or shorter than the %u-byte header",
					       fn->index, fl.length, p->header_size);
		else if (status == FC_FRAME_OVERSIZE && fl.frame_len > G_MAXINT32 &&
			 (uint64_t)fl.length <= p->max_frame)
			expert_add_info_format(pinfo, it, &ei_kind[FC_AN_OVERSIZE],
					       "Oversize length: frame #%" PRIu64 " of %" PRIu64
					       " bytes is too large to reassemble here",
					       fn->index, fl.frame_len);
		else if (status == FC_FRAME_OVERSIZE)
			expert_add_info_format(pinfo, it, &ei_kind[FC_AN_OVERSIZE],
					       "Oversize length: frame #%" PRIu64 " length %" PRId64
					       " exceeds max_frame %" PRIu64,
					       fn->index, fl.length, p->max_frame);
		else if (status != FC_FRAME_NEGATIVE)
			framing_expert(pinfo, it, status, p, &fl, fn->index);
		if (rep > bad)
			proto_tree_add_item(t, hf_undecoded, tvb, bad, avail - bad, ENC_NA);
		expert_add_info_format(pinfo, ti, &ei_framing_error,
				       "Framing error: bad length at frame #%" PRIu64
				       "; the rest of this stream direction is not decoded",
				       fn->index);
		info_add(pinfo, sc, "#%" PRIu64 " len=%" PRId64 " BAD (%s)", fn->index, fl.length, kind);
		keep_tree(pinfo, sc, ti, t)->bad = TRUE;
		return avail;
	}

	{
		guint tl = (guint)MIN(fl.trailer_len, rep - hs);
		guint plen = rep - hs - tl;
		guint have = avail > hs ? MIN(avail - hs, plen) : 0;
		const guint8 *pay = have ? tvb_get_ptr(tvb, hs, have) : NULL;

		proto_item_append_text(ti, ", %sframe #%" PRIu64 ", len=%" PRId64 ", %u bytes", pre,
				       fn->index, fl.length, rep);
		it = proto_tree_add_uint64(t, hf_header_len, tvb, 0, hs, fl.header_len);
		proto_item_set_generated(it);
		it = proto_tree_add_uint64(t, hf_payload_len, tvb, hs, have, fl.payload_len);
		proto_item_set_generated(it);
		if (fl.trailer_len) {
			it = proto_tree_add_uint(t, hf_trailer_len, tvb, hs + plen,
						 avail >= rep ? tl : 0, fl.trailer_len);
			proto_item_set_generated(it);
		}
		if (c->rule && c->rule->framing == FC_FRAMING_LENGTH && c->rule->length_mask) {
			it = proto_tree_add_uint64(t, hf_length_flags, tvb, p->length_offset,
						   p->length_size, fl.flags);
			proto_item_set_generated(it);
		}
		proto_tree_add_item(t, hf_payload, tvb, hs, have, ENC_NA);
		if (have == plen && is_text(pay, have))
			proto_tree_add_item(t, hf_text, tvb, hs, have, ENC_UTF_8);
		x = keep_tree(pinfo, sc, ti, t);
		x->fn = fn;
		x->start = start;
		x->end = start + rep;
		x->reassembled = c->tcp->is_reassembled;
		if (plen && have)
			info_add(pinfo, sc, "%slen=%" PRId64 " %s", c->step ? "[prelude] " : "",
				 fl.length, preview(pinfo->pool, pay, have, plen));
		else if (plen)
			info_add(pinfo, sc, "%slen=%" PRId64 " (payload not captured)",
				 c->step ? "[prelude] " : "", fl.length);
		else
			info_add(pinfo, sc, "%slen=%" PRId64, c->step ? "[prelude] " : "", fl.length);
		return avail;
	}
}

/* The delimiter framing's loop, in place of tcp_dissect_pdus (which wants
 * a length from a header): each frame ends after its delimiter; a frame
 * without one yet asks TCP for one more segment, and one longer than
 * max_frame is the no_delimiter error (measure_delim bounds the search).
 * Prelude steps (prefix rules) are read here too. */
static void dissect_delimited(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
			      struct call *c)
{
	guint len = tvb_reported_length(tvb);
	guint offset = 0;

	while (offset < len) {
		guint rest = len - offset;
		gboolean whole = (guint)tvb_captured_length_remaining(tvb, offset) == rest;
		guint flen = rest;
		int st;

		c->last_offset = (int)offset;
		c->last_len = 0;
		st = measure(c, pinfo, tvb, (int)offset);
		if (st == FC_FRAME_NEED_MORE && pinfo->can_desegment && whole) {
			pinfo->desegment_offset = (int)offset;
			pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
			return;
		}
		if (st == FC_FRAME_OK) {
			c->last_len = c->fl.frame_len;
			c->last_field = c->fl.length;
			if (c->fl.frame_len > rest && pinfo->can_desegment && whole) {
				pinfo->desegment_offset = (int)offset;
				pinfo->desegment_len = (guint32)(c->fl.frame_len - rest);
				return;
			}
			flen = (guint)MIN(c->fl.frame_len, rest);
		}
		if (flen == 0)
			flen = rest;
		dissect_frame(tvb_new_subset_length(tvb, (gint)offset, (gint)flen), pinfo, tree, c);
		offset += flen;
	}
}

static int dissect_framecap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
	struct tcpinfo *tcp = data;
	struct stream *st;
	struct half *h;
	struct scratch *sc;
	struct call c;
	guint len = tvb_reported_length(tvb);

	if (!tcp || pinfo->ptype != PT_TCP || pinfo->flags.in_error_pkt)
		return 0;
	st = stream_get(pinfo);
	h = stream_half(st, pinfo);
	sc = scratch_get(pinfo);
	sc->h = h;
	if (!PINFO_FD_VISITED(pinfo) && !tcp->is_reassembled)
		seg_record(h, pinfo->num, tcp->seq, tcp->nxtseq);

	if (h->dead && (pinfo->num > h->dead_pkt || sc->error_seen)) {
		proto_item *ti = proto_tree_add_item(tree, proto_framecap, tvb, 0, -1, ENC_NA);
		proto_tree *t = proto_item_add_subtree(ti, ett_framecap);
		proto_item_append_text(ti, ", not decoded: framing lost at frame #%" PRIu64
				       " (packet %u)", h->dead_index, h->dead_pkt);
		proto_tree_add_item(t, hf_undecoded, tvb, 0, -1, ENC_NA);
		settings_note(pinfo, ti);
		expert_add_info_format(pinfo, ti, &ei_not_decoded,
				       "Not decoded: framing was lost at frame #%" PRIu64
				       " (packet %u); this stream direction is no longer decoded",
				       h->dead_index, h->dead_pkt);
		info_add(pinfo, sc, "not decoded (framing lost in packet %u)", h->dead_pkt);
		sc->error_seen = TRUE;
		return tvb_captured_length(tvb);
	}

	if (!PINFO_FD_VISITED(pinfo))
		prelude_begin(h, st, pinfo);
	memset(&c, 0, sizeof(c));
	c.tcp = tcp;
	c.st = st;
	c.h = h;
	c.last_offset = -1;
	c.last_len = 0;
	if (fc_profile_is_prefix(&st->prof))
		tcp_dissect_pdus(tvb, pinfo, tree, TRUE, fixed_len_of(st), get_frame_len,
				 dissect_frame, &c);
	else
		dissect_delimited(tvb, pinfo, tree, &c);

	if (pinfo->desegment_len && (guint)pinfo->desegment_offset < len &&
	    !PINFO_FD_VISITED(pinfo)) {
		/* A frame begins here and needs later segments. TCP will not
		 * call us for this packet again once it knows where the frame
		 * is reassembled: the postdissector shows this note. */
		struct pkt_note *pn = pkt_note_get(pinfo, TRUE);

		pn->begins = TRUE;
		pn->continues = tcp->is_reassembled && pinfo->desegment_offset == 0;
		pn->begins_index = h->next_index;
		pn->begins_bytes = len - pinfo->desegment_offset;
		pn->begins_len = c.last_offset == pinfo->desegment_offset ? c.last_len : 0;
		pn->begins_header = c.rule && c.rule->framing == FC_FRAMING_LENGTH
					    ? fc_profile_length_end(c.rule)
					    : c.rule && c.rule->framing == FC_FRAMING_DELIMITER
					    ? 0 : (guint)MIN(c.fl.need, FC_MAX_LENGTH_FIELD_END);
		pn->begins_field = pn->begins_len ? c.last_field : 0;
		h->open = TRUE;
		h->open_start = tcp->seq + pinfo->desegment_offset;
		h->open_pkt = pinfo->num;
		h->open_index = pn->begins_index;
		h->open_len = pn->begins_len;
		sc->begins = TRUE;
	}
	return tvb_captured_length(tvb);
}

/* Off by default: a stream whose first segment holds whole valid frames. */
static gboolean dissect_framecap_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
				      void *data)
{
	conversation_t *conv;
	struct fc_profile prof;
	struct stream probe;
	guint off = 0, len = tvb_captured_length(tvb);
	guint frames = 0;

	if (!data || pinfo->ptype != PT_TCP || len != tvb_reported_length(tvb))
		return FALSE;
	memset(&probe, 0, sizeof(probe));
	stream_pick_profile(&probe, pinfo);
	prof = probe.prof;
	/* Only a header tells: fixed frames and lines fit any bytes. */
	if (prof.framing == FC_FRAMING_FIXED || prof.framing == FC_FRAMING_DELIMITER)
		return FALSE;
	while (off < len) {
		guint8 hdr[FC_MAX_LENGTH_FIELD_END];
		struct fc_frame_len fl;
		guint n = MIN(len - off, FC_MAX_LENGTH_FIELD_END);
		enum fc_frame_status fs;

		tvb_memcpy(tvb, hdr, off, n);
		fs = fc_profile_frame_len(&prof, hdr, n, &fl);
		if (fs == FC_FRAME_NEED_MORE)
			break;
		if (fs != FC_FRAME_OK)
			return FALSE;
		if (fl.frame_len > len - off)
			break;
		off += (guint)fl.frame_len;
		frames++;
	}
	if (frames == 0)
		return FALSE;
	conv = find_or_create_conversation(pinfo);
	conversation_set_dissector(conv, framecap_handle);
	dissect_framecap(tvb, pinfo, tree, data);
	return TRUE;
}

/* ---- Diagnoses: framecap's own decoding beside the dissection ------ */

/* The likely causes framecap names (an adjustment that lines up, a frame
 * that promised more than was sent, a line ending without its "\r"...)
 * need its whole decoder: shadow walkers from the first byte, the resync
 * after a bad length, the stream's end. So on the first pass every packet
 * of a stream the plugin decodes is also fed, as captured, to the core's
 * engine (fc_engine: the same parsing, reassembly and decoder as the
 * command, with the same settings), and the diagnoses it reports while a
 * packet is fed are kept with that packet (pkt_note) for every pass. */
static struct fc_engine *diag_engine;
static struct diag_note *diag_found, **diag_tail; /* while a packet is fed */

/* The engine's sink: keep the diagnoses, in the order reported. */
static void diag_report(void *ctx _U_, const struct fc_stream_info *s _U_, enum fc_dir dir _U_,
			const struct fc_report *r)
{
	for (guint32 i = 0; i < r->nevents; i++) {
		const struct fc_anomaly *a = &r->events[i].anomaly;
		char line[FC_DESCRIBE_MAX];
		struct diag_note *n;

		if (r->events[i].type != FC_EV_ANOMALY || !is_diagnosis(a->kind) || !diag_tail)
			continue;
		fc_anomaly_describe(a, line, sizeof(line));
		n = wmem_new0(wmem_file_scope(), struct diag_note);
		n->kind = a->kind;
		n->line = wmem_strdup(wmem_file_scope(), line);
		*diag_tail = n;
		diag_tail = &n->next;
	}
}

static void diag_stop(void)
{
	fc_engine_free(diag_engine);
	diag_engine = NULL;
}

/* A new engine for a new file, with the settings just worked out: the
 * profiles and ports of the preferences and the YAML, the command's
 * defaults for the rest (64 payload bytes kept, the ACK window). */
static void diag_start(void)
{
	struct fc_engine_config cfg;
	struct fc_sink sink = { .report = diag_report };

	diag_stop();
	memset(&cfg, 0, sizeof(cfg));
	cfg.config = &settings_cfg;
	cfg.forced = settings_forced ? &settings_fallback : NULL;
	cfg.fallback = &settings_fallback;
	cfg.payload_keep = 64;
	cfg.omit_frames = true;
	cfg.ack_window_packets = FC_DEFAULT_ACK_WINDOW_PACKETS;
	cfg.ack_window_us = FC_DEFAULT_ACK_WINDOW_US;
	for (guint i = 0; i < sizeof(cfg.hash_key); i += 4) {
		guint32 r = g_random_int();
		memcpy(cfg.hash_key + i, &r, 4);
	}
	diag_engine = fc_engine_new(&cfg, &sink);
}

/* A packet of a stream the plugin decodes, or on one of its ports (the
 * handshake comes before the first data, which claims the stream). */
static gboolean diag_wanted(packet_info *pinfo)
{
	dissector_table_t ports = find_dissector_table("tcp.port");

	return stream_find(pinfo) != NULL ||
	       dissector_get_uint_handle(ports, pinfo->srcport) == framecap_handle ||
	       dissector_get_uint_handle(ports, pinfo->destport) == framecap_handle;
}

/* The capture file's link type (pcap's DLT) of a Wireshark encapsulation,
 * among those framecap parses (fc_link_supported); -1 for none. Wireshark
 * 4.0 exports the mapping only the other way round. */
static int diag_dlt(int encap)
{
	static int last_encap = -1, last_dlt = -1;

	if (encap == last_encap)
		return last_dlt;
	last_encap = encap;
	last_dlt = -1;
	for (int d = 0; d < 512 && last_dlt < 0; d++)
		if (fc_link_supported(d) && wtap_pcap_encap_to_wtap_encap(d) == encap)
			last_dlt = d;
	return last_dlt;
}

/* First pass: feed the packet, as captured, to the engine; keep what it
 * diagnosed meanwhile in the packet's note. */
static void diag_feed(tvbuff_t *tvb, packet_info *pinfo)
{
	struct fc_pkt pkt = { .num = pinfo->num,
			      .ts_us = fc_ts_us(pinfo->abs_ts.secs, pinfo->abs_ts.nsecs / 1000) };
	guint caplen = tvb_captured_length(tvb);
	int dlt;

	if (!diag_engine || !pinfo->rec || pinfo->rec->rec_type != REC_TYPE_PACKET ||
	    !diag_wanted(pinfo))
		return;
	dlt = diag_dlt(pinfo->rec->rec_header.packet_header.pkt_encap);
	if (dlt < 0)
		return;
	diag_found = NULL;
	diag_tail = &diag_found;
	fc_engine_packet(diag_engine, &pkt, dlt, tvb_get_ptr(tvb, 0, caplen), caplen,
			 pinfo->fd->pkt_len);
	diag_tail = NULL;
	if (diag_found)
		pkt_note_get(pinfo, TRUE)->diag = diag_found;
}

/* Every pass: the packet's diagnoses, each as a framecap item with the
 * kind (framecap.diagnosis) and the expert info in framecap's words. */
static void diag_show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
		      const struct diag_note *n)
{
	for (; n; n = n->next) {
		const char *name = fc_anomaly_name(n->kind);
		proto_item *ti = proto_tree_add_item(tree, proto_framecap, tvb, 0, 0, ENC_NA);
		proto_tree *t = proto_item_add_subtree(ti, ett_framecap);
		proto_item *it = proto_tree_add_string(t, hf_diagnosis, tvb, 0, 0, name);

		proto_item_set_generated(it);
		proto_item_append_text(ti, ", diagnosis: %s", name);
		expert_add_info_format(pinfo, it, &ei_kind[n->kind], "%s", n->line);
		col_append_sep_fstr(pinfo->cinfo, COL_INFO, " ", "[framecap: %s]", name);
	}
}

/* TCP's field values for this packet (the last TCP layer's). */
static gboolean tcp_field(proto_tree *tree, int hf, guint32 *out)
{
	GPtrArray *a;
	field_info *fi;

	if (!tree || hf < 0)
		return FALSE;
	a = proto_get_finfo_ptr_array(tree, hf);
	if (!a || a->len == 0)
		return FALSE;
	fi = g_ptr_array_index(a, a->len - 1);
	*out = fvalue_get_uinteger(&fi->value);
	return TRUE;
}

/* "... inside frame #0: 30 of 100 payload bytes arrived", as the command. */
static const char *truncation(const struct half *h, const struct fc_profile *p, const char *why)
{
	guint64 have = h->have_seen ? (guint32)(h->seen_end - h->open_start) : 0;

	if (p->framing == FC_FRAMING_DELIMITER && !h->open_len)
		return wmem_strdup_printf(wmem_file_scope(),
					  "Truncated: %s inside frame #%" PRIu64 ": %" PRIu64
					  " bytes arrived and no delimiter", why, h->open_index, have);
	if (h->open_len && have >= p->header_size)
		return wmem_strdup_printf(wmem_file_scope(),
					  "Truncated: %s inside frame #%" PRIu64 ": %" PRIu64 " of %"
					  PRIu64 " payload bytes arrived", why, h->open_index,
					  MIN(have, h->open_len) - p->header_size,
					  h->open_len - p->header_size);
	return wmem_strdup_printf(wmem_file_scope(),
				  "Truncated: %s inside the header of frame #%" PRIu64 ": %" PRIu64
				  " of %u header bytes arrived", why, h->open_index, have,
				  p->header_size);
}

/* First pass, after every dissector: record this packet's segment, count
 * segments per frame and frames per segment, notice FIN and RST. */
static void post_first_pass(packet_info *pinfo, proto_tree *tree, struct scratch *sc)
{
	struct stream *st = stream_find(pinfo);
	struct half *h;
	struct pkt_note *pn;
	guint32 seq = 0, len = 0, flags = 0;
	gboolean have_range, have_flags;

	if (!st)
		return;
	h = stream_half(st, pinfo);
	have_range = tcp_field(tree, hf_tcp_seq, &seq) && tcp_field(tree, hf_tcp_len, &len);
	have_flags = tcp_field(tree, hf_tcp_flags, &flags);
	if (have_range && len)
		seg_record(h, pinfo->num, seq, seq + len);

	if (sc && (sc->nshown || sc->begins)) {
		/* The frame left open has bytes here, unless TCP handed us
		 * bytes of later packets with this one (out-of-order data
		 * that this packet made contiguous): its start then lies
		 * past this packet's own bytes. */
		guint frames = sc->begins && (!have_range || !len ||
					      LT_SEQ(h->open_start, seq + len)) ? 1 : 0;
		gboolean framed = FALSE;
		guint32 framed_end = 0;

		for (guint i = 0; i < sc->nshown; i++) {
			struct shown *x = &sc->shown[i];
			gboolean here = !x->reassembled || !have_range || !len ||
					(LT_SEQ(x->start, seq + len) && GT_SEQ(x->end, seq));

			if (!x->fn && !x->bad)
				continue;
			frames += here ? 1 : 0;
			if (!x->fn)
				continue;
			if (x->reassembled) {
				gboolean with_pkt;
				x->fn->segments = seg_count(h, x->start, x->end, st->prof.header_size,
							    pinfo->num, &with_pkt,
							    &x->fn->header_split);
				if (!with_pkt && !(have_range && len))
					x->fn->segments++; /* TCP's fields unavailable */
				if (x->fn->segments == 0)
					x->fn->segments = 1;
			}
			if (!framed || GT_SEQ(x->end, framed_end))
				framed_end = x->end;
			framed = TRUE;
		}
		if (framed)
			seg_framed(h, framed_end);
		pn = pkt_note_get(pinfo, TRUE);
		pn->frames = frames;
	}

	if (have_flags && (flags & (TH_RST | TH_FIN))) {
		const char *msg = NULL;
		for (int d = 0; d < 2; d++) {
			struct half *x = &st->half[d];
			if (!(flags & TH_RST) && x != h)
				continue;
			if (x->open && !x->ended && !x->dead && !msg)
				msg = truncation(x, &st->prof, flags & TH_RST
						 ? "connection reset (RST)" : "stream closed (FIN)");
			x->ended = TRUE;
		}
		if (msg) {
			pn = pkt_note_get(pinfo, TRUE);
			pn->truncated = msg;
		}
	}
}

/* After every dissector: what needs the whole packet to be known. */
static int dissect_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	struct scratch *sc;
	struct pkt_note *pn;

	if (pinfo->ptype != PT_TCP)
		return 0;
	sc = p_get_proto_data(pinfo->pool, pinfo, proto_framecap, 0);
	/* TCP headers quoted by an ICMP error are not the stream's. */
	if (!PINFO_FD_VISITED(pinfo) && !proto_is_frame_protocol(pinfo->layers, "icmp") &&
	    !proto_is_frame_protocol(pinfo->layers, "icmpv6")) {
		post_first_pass(pinfo, tree, sc);
		diag_feed(tvb, pinfo);
	}
	pn = pkt_note_get(pinfo, FALSE);
	if (!pn)
		return 0;
	diag_show(tvb, pinfo, tree, pn->diag);
	if (pn->begins) {
		proto_item *ti = proto_tree_add_item(tree, proto_framecap, tvb, 0, 0, ENC_NA);
		proto_tree *t = proto_item_add_subtree(ti, ett_framecap);
		proto_item *it;

		if (!sc)
			sc = scratch_get(pinfo);
		if (pn->begins_len)
			proto_item_append_text(ti, ", frame #%" PRIu64 " begins: %u of %" PRIu64
					       " bytes here, continues in later segments",
					       pn->begins_index, pn->begins_bytes, pn->begins_len);
		else if (pn->begins_header == 0) /* a delimiter not found yet */
			proto_item_append_text(ti, ", frame #%" PRIu64 " %s: %u bytes so far, "
					       "no delimiter yet, continues in later segments",
					       pn->begins_index, pn->continues ? "continues" : "begins",
					       pn->begins_bytes);
		else
			proto_item_append_text(ti, ", frame #%" PRIu64 " %s: %u of %u length"
					       " field bytes so far, continues in later segments",
					       pn->begins_index, pn->continues ? "continues" : "begins",
					       pn->begins_bytes, pn->begins_header);
		it = proto_tree_add_uint64(t, pn->continues ? hf_continues : hf_begins, tvb, 0, 0,
					   pn->begins_index);
		proto_item_set_generated(it);
		settings_note(pinfo, ti);
		keep_tree(pinfo, sc, ti, t);
		if (pn->begins_len)
			info_add(pinfo, sc, "[#%" PRIu64 " len=%" PRId64 " ...>", pn->begins_index,
				 pn->begins_field);
		else
			info_add(pinfo, sc, "%s#%" PRIu64 " hdr %u B ...>",
				 pn->continues ? "..." : "[", pn->begins_index, pn->begins_bytes);
	}
	if (sc && sc->nshown) {
		for (guint i = 0; i < sc->nshown; i++) {
			struct shown *x = &sc->shown[i];
			proto_item *it;

			if (x->fn) {
				it = proto_tree_add_uint(x->t, hf_segments, tvb, 0, 0, x->fn->segments);
				proto_item_set_generated(it);
				if (x->fn->segments > 1)
					expert_add_info_format(pinfo, x->ti, &ei_split,
							       "Split frame: frame #%" PRIu64
							       " spans %u segments%s", x->fn->index,
							       x->fn->segments, x->fn->header_split
							       ? " (its header is split too)" : "");
			}
			it = proto_tree_add_uint(x->t, hf_frames_in_segment, tvb, 0, 0, pn->frames);
			proto_item_set_generated(it);
		}
		if (pn->frames > 1)
			expert_add_info_format(pinfo, sc->shown[0].ti, &ei_sticky,
					       "Sticky segment: carries %u frames", pn->frames);
	}
	if (pn->truncated) {
		proto_item *ti = proto_tree_add_item(tree, proto_framecap, tvb, 0, 0, ENC_NA);
		proto_item_append_text(ti, ", stream ends inside a frame");
		expert_add_info_format(pinfo, ti, &ei_kind[FC_AN_TRUNCATED], "%s", pn->truncated);
		col_append_sep_str(pinfo->cinfo, COL_INFO, " ", "[framecap: truncated frame]");
	}
	return 0;
}

/* ---- Registration -------------------------------------------------- */

/* The expert infos of `n` kinds: "framecap." and framecap's name of the
 * kind, summed up by the first sentence of its explanation (fc_describe). */
static void kinds_register(expert_module_t *em, const enum fc_anomaly_kind *kinds, guint n,
			   int group, int severity)
{
	static const ei_register_info blank = { NULL, { NULL, 0, 0, NULL, EXPFILL } };
	ei_register_info *ei = g_new(ei_register_info, n);

	for (guint i = 0; i < n; i++) {
		enum fc_anomaly_kind k = kinds[i];
		const char *text = fc_anomaly_explain(k), *stop = strstr(text, ". ");

		ei[i] = blank;
		ei_kind[k] = (expert_field)EI_INIT;
		ei[i].ids = &ei_kind[k];
		ei[i].eiinfo.name = g_strdup_printf("framecap.%s", fc_anomaly_name(k));
		ei[i].eiinfo.group = group;
		ei[i].eiinfo.severity = severity;
		ei[i].eiinfo.summary = stop ? g_strndup(text, (gsize)(stop - text + 1)) : text;
	}
	expert_register_field_array(em, ei, n);
}

static void proto_register_framecap(void)
{
	static hf_register_info hf[] = {
		{ &hf_index, { "Index", "framecap.index", FT_UINT64, BASE_DEC, NULL, 0x0,
			       "Frame number within its stream direction, from 0", HFILL } },
		{ &hf_length, { "Length", "framecap.length", FT_INT64, BASE_DEC, NULL, 0x0,
				"Value of the length field", HFILL } },
		{ &hf_payload_len, { "Payload length", "framecap.payload_len", FT_UINT64, BASE_DEC,
				     NULL, 0x0, "Bytes after the header", HFILL } },
		{ &hf_payload, { "Payload", "framecap.payload", FT_BYTES, BASE_NONE, NULL, 0x0,
				 "The frame's bytes after the header", HFILL } },
		{ &hf_text, { "Text", "framecap.text", FT_STRING, BASE_NONE, NULL, 0x0,
			      "The payload, when it is printable UTF-8 text", HFILL } },
		{ &hf_frames_in_segment, { "Frames in segment", "framecap.frames_in_segment",
					   FT_UINT32, BASE_DEC, NULL, 0x0,
					   "Frames with bytes in this TCP segment (2 or more: sticky)",
					   HFILL } },
		{ &hf_segments, { "Segments", "framecap.segments", FT_UINT32, BASE_DEC, NULL, 0x0,
				  "TCP segments the frame spans (2 or more: split)", HFILL } },
		{ &hf_profile, { "Profile", "framecap.profile", FT_STRING, BASE_NONE, NULL, 0x0,
				 "Framing profile of the stream", HFILL } },
		{ &hf_error, { "Error", "framecap.error", FT_STRING, BASE_NONE, NULL, 0x0,
			       "Why the length field is invalid", HFILL } },
		{ &hf_diagnosis, { "Diagnosis", "framecap.diagnosis", FT_STRING, BASE_NONE, NULL, 0x0,
				   "A likely cause framecap names here", HFILL } },
		{ &hf_begins, { "Frame begins", "framecap.begins", FT_UINT64, BASE_DEC, NULL, 0x0,
				"Index of a frame that begins in this segment and ends later",
				HFILL } },
		{ &hf_continues, { "Frame continues", "framecap.continues", FT_UINT64, BASE_DEC, NULL,
				   0x0, "Index of a frame whose header is still incomplete after "
				   "this segment", HFILL } },
		{ &hf_framing, { "Framing", "framecap.framing", FT_STRING, BASE_NONE, NULL, 0x0,
				 "Rule that cut this frame: length, varint, ber, delimiter, fixed, "
				 "or bytes_one_of (a prelude's literal)", HFILL } },
		{ &hf_header_len, { "Header length", "framecap.header_len", FT_UINT64, BASE_DEC,
				    NULL, 0x0, "Bytes before the payload", HFILL } },
		{ &hf_trailer_len, { "Trailer length", "framecap.trailer_len", FT_UINT32, BASE_DEC,
				     NULL, 0x0, "Bytes after the payload (the delimiter)", HFILL } },
		{ &hf_length_flags, { "Length flags", "framecap.length_flags", FT_UINT64, BASE_HEX,
				      NULL, 0x0, "Bits of the length field outside length_mask "
				      "(ONC RPC's last-fragment bit)", HFILL } },
		{ &hf_prelude, { "Prelude step", "framecap.prelude", FT_UINT32, BASE_DEC, NULL, 0x0,
				 "Read by this prelude step (from 1) before the profile's frames",
				 HFILL } },
		{ &hf_undecoded, { "Undecoded", "framecap.undecoded", FT_BYTES, BASE_NONE, NULL, 0x0,
				   "Bytes after a framing error", HFILL } },
	};
	static gint *ett[] = { &ett_framecap };
	static ei_register_info ei[] = {
		{ &ei_sticky, { "framecap.sticky", PI_SEQUENCE, PI_NOTE,
				"Sticky segment: several frames in one TCP segment", EXPFILL } },
		{ &ei_split, { "framecap.split", PI_SEQUENCE, PI_NOTE,
			       "Split frame: one frame over several TCP segments", EXPFILL } },
		{ &ei_framing_error, { "framecap.framing_error", PI_MALFORMED, PI_ERROR,
				       "Framing error: the stream direction is no longer decoded",
				       EXPFILL } },
		{ &ei_not_decoded, { "framecap.not_decoded", PI_UNDECODED, PI_WARN,
				     "Not decoded: framing was lost earlier in this direction",
				     EXPFILL } },
		{ &ei_prelude, { "framecap.prelude_frame", PI_SEQUENCE, PI_CHAT,
				 "Prelude frame, read before the profile's frames", EXPFILL } },
		{ &ei_settings, { "framecap.settings", PI_PROTOCOL, PI_WARN,
				  "Preferences or configuration file not usable", EXPFILL } },
	};
	enum fc_anomaly_kind diag_kinds[FC_AN__COUNT];
	guint ndiag = 0;
	module_t *m;
	expert_module_t *em;

	proto_framecap = proto_register_protocol("Length-prefixed frames (framecap)", "framecap",
						 "framecap");
	proto_register_field_array(proto_framecap, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
	em = expert_register_protocol(proto_framecap);
	expert_register_field_array(em, ei, array_length(ei));
	kinds_register(em, error_kinds, G_N_ELEMENTS(error_kinds), PI_MALFORMED, PI_ERROR);
	kinds_register(em, truncated_kinds, 1, PI_SEQUENCE, PI_WARN);
	for (int k = 0; k < FC_AN__COUNT; k++)
		if (is_diagnosis((enum fc_anomaly_kind)k))
			diag_kinds[ndiag++] = (enum fc_anomaly_kind)k;
	kinds_register(em, diag_kinds, ndiag, PI_PROTOCOL, PI_WARN);
	framecap_handle = register_dissector("framecap", dissect_framecap, proto_framecap);

	m = prefs_register_protocol(proto_framecap, NULL);
	prefs_register_static_text_preference(m, "about",
		"Framing of streams no profile applies to. A field set to something other "
		"than the default overrides the profile (as the framecap command's options do).",
		"See docs/wireshark.md");
	prefs_register_uint_preference(m, "length_offset", "Length offset",
		"Bytes before the length field", 10, &pref_length_offset);
	prefs_register_uint_preference(m, "length_size", "Length size",
		"Size of the length field in bytes (1 to 8)", 10, &pref_length_size);
	prefs_register_enum_preference(m, "byte_order", "Byte order",
		"Byte order of the length field", &pref_byte_order, byte_order_vals, FALSE);
	prefs_register_bool_preference(m, "signed", "Signed length",
		"The length field is a signed integer", &pref_signed);
	prefs_register_string_preference(m, "length_adjustment", "Length adjustment",
		"Added to the length field to get the bytes after it (may be negative)",
		&pref_length_adjustment);
	prefs_register_uint_preference(m, "header_size", "Header size",
		"Bytes before the payload; 0 means length_offset + length_size", 10,
		&pref_header_size);
	prefs_register_uint_preference(m, "max_frame", "Maximum length",
		"A length field above this is a framing error", 10, &pref_max_frame);
	prefs_register_enum_preference(m, "framing", "Framing",
		"How a frame ends: a length field, a varint (protobuf, MQTT), a BER tag and "
		"length (LDAP), a delimiter (lines), or a fixed size", &pref_framing,
		framing_vals, FALSE);
	prefs_register_string_preference(m, "delimiter", "Delimiter",
		"Delimiter framing: the bytes that end a frame, with C escapes "
		"(\\r \\n \\t \\0 \\xHH); empty: the profile's", &pref_delimiter);
	prefs_register_uint_preference(m, "frame_size", "Frame size",
		"Fixed framing: bytes per frame; 0: the profile's", 10, &pref_frame_size);
	prefs_register_uint_preference(m, "varint_max_bytes", "Varint max bytes",
		"Varint framing: the longest varint (1 to 10); 0: the profile's (5 by default)",
		10, &pref_varint_max);
	prefs_register_string_preference(m, "length_mask", "Length mask",
		"Length framing: the length bits of the field (e.g. 0x7fffffff for ONC RPC); "
		"the others are shown as flags; empty: the profile's", &pref_length_mask);
	prefs_register_filename_preference(m, "config", "Configuration file",
		"framecap YAML file (profiles and ports); empty: "
		"~/.config/framecap/framecap.yaml when it exists", &pref_config, FALSE);
	prefs_register_string_preference(m, "profile", "Profile",
		"Profile from the configuration file for every stream (empty: by port)",
		&pref_profile);

	fc_profile_default(&settings_fallback);
	register_init_routine(framecap_init);
	register_cleanup_routine(framecap_cleanup);
}

static void proto_reg_handoff_framecap(void)
{
	dissector_handle_t post;
	GArray *wanted;

	dissector_add_uint_with_preference("tcp.port", FRAMECAP_PORT, framecap_handle);
	heur_dissector_add("tcp", dissect_framecap_heur, "framecap over TCP", "framecap_tcp",
			   proto_framecap, HEURISTIC_DISABLE);

	post = create_dissector_handle(dissect_post, proto_framecap);
	register_postdissector(post);
	hf_tcp_seq = proto_registrar_get_id_byname("tcp.seq");
	hf_tcp_len = proto_registrar_get_id_byname("tcp.len");
	hf_tcp_flags = proto_registrar_get_id_byname("tcp.flags");
	wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
	g_array_append_val(wanted, hf_tcp_seq);
	g_array_append_val(wanted, hf_tcp_len);
	g_array_append_val(wanted, hf_tcp_flags);
	set_postdissector_wanted_hfids(post, wanted);
}

void plugin_register(void)
{
	static proto_plugin plug;

	plug.register_protoinfo = proto_register_framecap;
	plug.register_handoff = proto_reg_handoff_framecap;
	proto_register_plugin(&plug);
}
