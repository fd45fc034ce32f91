/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.js - draws framecap's HTML report from the records embedded in
 * <script type="application/json" id="framecap-data"> (out_html.c).
 *
 *   records --> streams { c2s, s2c: segs[], frames[], anoms[], reads[] }
 *           --> summary + table --> per direction a lane diagram:
 *
 *     axis     |0      |100     |200
 *     segments [#4 ][#6    ][#8              ]
 *     frames   [h|#0][h|#1 ][h|#2][h|#3][h|#4 ...
 *     reads    [recv 11 B][recv 9 B][recv 32 B GLUED]
 *     anomalies          !
 *
 * Only the boxes inside a lane's visible window are in the document, so a
 * direction with 100,000 frames draws a screenful at a time; when more
 * than MAX_BOXES fall inside it, the lane shows bins instead. Every frame
 * box carries data-stream, data-dir and data-index, every segment box
 * data-packet. All words of the page are in the table T, each marked _()
 * for xgettext; the page's settings record brings their translations
 * ("strings", from the gettext catalogue, with --lang zh), and then each
 * anomaly's finding in that language (an "anomaly_text" record after it).
 */
(function () {
	"use strict";

	/* Marks a string for xgettext; translated below, once the records are
	 * read. */
	function _(s) { return s; }

	/* Every string the page shows. {0}, {1}: arguments. */
	var T = {
		title: _("framecap report"),
		summary: _("Summary"),
		packets: _("packets"),
		streams: _("streams"),
		frames: _("frames"),
		sticky_segments: _("sticky segments"),
		split_frames: _("split frames"),
		anomalies: _("anomalies"),
		streams_table: _("Streams"),
		col_stream: _("stream"),
		col_endpoints: _("client → server"),
		col_profile: _("profile"),
		col_c2s: _("c2s frames / segments"),
		col_s2c: _("s2c frames / segments"),
		col_sticky: _("sticky"),
		col_split: _("split"),
		col_anomalies: _("anomalies"),
		col_worst: _("worst problem"),
		worst_none: _("none"),
		worst_sticky: _("sticky segments"),
		worst_split: _("split frames"),
		worst_hsplit: _("header split"),
		left_out: _("Left out of this page (the summary counts everything): {0}. Raise --html-max-streams or --html-max-frames, or filter the capture, to see them."),
		left_streams: _("{0} streams after stream {1}"),
		left_frames: _("{0} frames"),
		left_segments: _("{0} segments"),
		left_anomalies: _("{0} anomalies"),
		recv_label: _("reads lane: recv(N), N ="),
		axis_label: _("axis:"),
		axis_bytes: _("stream bytes (each direction)"),
		axis_time: _("time (shared by both directions)"),
		zoom_label: _("zoom:"),
		zoom_fit: _("fit"),
		lane_axis: _(""),
		lane_segs: _("segments"),
		lane_frames: _("frames"),
		lane_reads: _("reads"),
		lane_marks: _("anomalies"),
		legend_seg: _("TCP segment"),
		legend_ooo: _("out of order"),
		legend_gap: _("gap (never captured)"),
		legend_retx: _("retransmission (no new bytes)"),
		legend_hdr: _("header | payload"),
		legend_sticky: _("in a sticky segment"),
		legend_split: _("split frame"),
		legend_hsplit: _("header split"),
		legend_resync: _("resynced (guess)"),
		legend_prelude: _("prelude"),
		legend_read: _("recv() return"),
		legend_glued: _("GLUED"),
		legend_half: _("HALF"),
		legend_mark: _("anomaly"),
		legend_agg: _("many boxes (zoom in)"),
		stream_head: _("stream {0}  {1} → {2}  profile {3}"),
		dir_head: _("{0}: frames {1}, segments {2}"),
		dir_retrans: _("retransmissions without new bytes {0} (hatched boxes below the others)"),
		seg_retx_label: _("retransmission"),
		seg_retx: _("retransmission: no new bytes, repeats [{0},{1})"),
		seg_conflict: _("its bytes differ from the first copy (retransmit_conflict); the first copy is kept"),
		seg_repeated: _("{0} B of it repeated older bytes"),
		seg_tip: _("segment: packet #{0}, {1} s\nbytes [{2},{3}) = {4} B, {5} frames touched"),
		seg_ooo: _("delivered out of order"),
		seg_sticky: _("STICKY: {0} frames"),
		seg_unframed: _("{0} B in no frame"),
		gap_label: _("gap {0} B"),
		gap_tip: _("gap: {0} bytes at [{1},{2}) never captured"),
		frame_tip: _("frame #{0}: offset {1}, header {2} B, length field {3}, payload {4} B\npackets {5}"),
		frame_sticky: _("STICKY: shares a segment with other frames"),
		frame_split: _("#{0} split: {1} segs"),
		frame_hsplit: _("#{0} header split"),
		frame_resynced: _("resynced: decoded after a guessed resynchronisation"),
		frame_prelude: _("prelude"),
		frame_trailer: _("trailer {0} B"),
		frame_missing: _("{0} payload bytes lost in gaps"),
		preview_text: _("text: {0}"),
		preview_hex: _("hex:  {0}"),
		kept: _("{0} of {1} payload bytes kept (--payload-bytes)"),
		read_tip: _("recv({0}) at {1} returned {2} B [{3},{4}): {5}"),
		read_later: _("after the last arrival"),
		read_glued: _("GLUED: {0} messages in one recv"),
		read_half: _("HALF"),
		read_queued: _("({0} B left queued)"),
		read_whole: _("#{0} whole"),
		read_whole_run: _("#{0}..#{1} whole"),
		read_part: _("part of #{0} ({1} of {2} B)"),
		read_start: _("start of #{0} ({1} B, rest not here yet)"),
		read_none: _("no frame"),
		mark_tip: _("{0} @{1} (packet #{2}): {3}"),
		agg_tip: _("{0} {1} here: zoom in to see each one"),
		bytes_head: _("frame #{0} of stream {1} {2}: payload bytes"),
		click_hint: _("Hover a box for its details; click a frame for its bytes, an anomaly for its explanation."),
		no_data: _("No stream carried data.")
	};

	function t(key) {
		var s = T[key] === undefined ? key : T[key], args = arguments;
		return s.replace(/\{(\d)\}/g, function (m, i) { return String(args[+i + 1]); });
	}

	var MAX_BOXES = 3000; /* boxes per lane in the visible window */
	var MAX_WIDTH = 30000000; /* px: browsers cap an element's width */

	function esc(s) {
		return String(s).replace(/[&<>"]/g, function (c) {
			return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c];
		});
	}
	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined) e.textContent = text;
		return e;
	}

	/* ---- records ---- */
	var raw = document.getElementById("framecap-data").textContent.split("\n");
	var recs = [];
	for (var i = 0; i < raw.length; i++)
		if (raw[i].length) recs.push(JSON.parse(raw[i]));

	var summary = null, settings = { recv: 1024, left_out: {}, explain: {} };
	var streams = {}, order = [];
	function stream(id) {
		if (!streams[id]) {
			streams[id] = { id: id, info: null, end: null, dirs: {} };
			order.push(id);
		}
		return streams[id];
	}
	function dir(s, d) {
		if (!s.dirs[d]) s.dirs[d] = { name: d, segs: [], frames: [], anoms: [], gaps: [], steps: [], retx: 0 };
		return s.dirs[d];
	}
	var texts = []; /* anomaly_text: the findings in the page's language */
	recs.forEach(function (r) {
		var d;
		switch (r.type) {
		case "anomaly_text": texts.push(r.detail); break;
		case "stream": stream(r.stream).info = r; break;
		case "stream_end": stream(r.stream).end = r; break;
		case "summary": summary = r; break;
		case "html": settings = r; break;
		case "frame":
			d = dir(stream(r.stream), r.dir);
			d.frames.push(r);
			d.steps.push(r);
			break;
		case "segment":
			d = dir(stream(r.stream), r.dir);
			d.segs.push(r);
			/* A retransmission gets its box, but nothing to read. */
			if (r.retransmission) d.retx++;
			else d.steps.push(r);
			break;
		case "anomaly":
			d = dir(stream(r.stream), r.dir);
			d.anoms.push(r);
			if (r.kind === "gap" && r.missing)
				d.gaps.push({ offset: r.offset, len: r.missing, anom: r });
			break;
		}
	});
	/* The page's language: its words, and each anomaly's finding (the
	 * n-th anomaly_text record belongs to the n-th anomaly). */
	if (settings.strings) {
		Object.keys(T).forEach(function (k) {
			if (Object.prototype.hasOwnProperty.call(settings.strings, T[k])) T[k] = settings.strings[T[k]];
		});
	}
	if (settings.lang) document.documentElement.lang = settings.lang;
	if (texts.length) {
		var na = 0;
		recs.forEach(function (r) {
			if (r.type === "anomaly" && na < texts.length) r.detail_text = texts[na++];
		});
	}
	function detailOf(a) { return a.detail_text || a.detail; }
	function frameEnd(f) {
		return f.offset + f.header_len + f.payload_len + (f.trailer_len || 0);
	}

	/* ---- the reads lane: recv(N) once per arrival (as --recv-view) ---- */
	function reads(d, n) {
		var out = [], ring = [], head = 0, arrived = 0, readOff = 0, open = null, lastTs = 0;
		function one(ts, who) {
			var a = readOff, b = a + Math.min(arrived - a, n), items = [], touched = 0, half = false;
			var runFirst = -1, runLast = -1;
			if (b === a) return;
			while (head < ring.length && ring[head].end <= a) head++;
			for (var i = head; i < ring.length && ring[i].start < b; i++) {
				var e = ring[i];
				touched++;
				if (e.start >= a && e.end <= b) {
					if (runFirst < 0) runFirst = e.index;
					runLast = e.index;
					continue;
				}
				if (runFirst >= 0) {
					items.push(runFirst === runLast ? t("read_whole", runFirst) : t("read_whole_run", runFirst, runLast));
					runFirst = -1;
				}
				var lo = Math.max(e.start, a), hi = Math.min(e.end, b);
				items.push(t("read_part", e.index, hi - lo, e.end - e.start));
				half = true;
			}
			if (runFirst >= 0)
				items.push(runFirst === runLast ? t("read_whole", runFirst) : t("read_whole_run", runFirst, runLast));
			if (open && open.offset < b) {
				touched++;
				half = true;
				items.push(t("read_start", open.index, b - Math.max(open.offset, a)));
			}
			out.push({ a: a, b: b, ts: ts, who: who, what: items.length ? items.join(", ") : t("read_none"),
				   touched: touched, glued: touched > 1, half: half, queued: arrived - b });
			readOff = b;
		}
		d.steps.forEach(function (r) {
			if (r.type === "frame") {
				ring.push({ start: r.offset, end: frameEnd(r), index: r.index });
				return;
			}
			arrived = Math.max(arrived, r.offset + r.len);
			open = r.open_frame !== undefined ? { index: r.open_frame, offset: r.open_offset } : null;
			lastTs = r.ts;
			one(r.ts, "#" + r.packet);
		});
		for (var k = 0; k < 20 && readOff < arrived; k++)
			one(lastTs, t("read_later"));
		return out;
	}

	/* ---- layout: each lane's items with x0, x1 in px ---- */
	var state = { recv: settings.recv || 1024, axis: "bytes", zoom: 0 };
	var views = []; /* one per drawn direction */
	var packetTs = {};

	function bytesRange(d) {
		var hi = 1;
		d.segs.forEach(function (s) { hi = Math.max(hi, s.offset + s.len); });
		d.frames.forEach(function (f) { hi = Math.max(hi, frameEnd(f)); });
		d.gaps.forEach(function (g) { hi = Math.max(hi, g.offset + g.len); });
		return [0, hi];
	}
	function timeRange(s) {
		var lo = Infinity, hi = -Infinity;
		Object.keys(s.dirs).forEach(function (k) {
			s.dirs[k].segs.forEach(function (g) { lo = Math.min(lo, g.ts); hi = Math.max(hi, g.ts); });
			s.dirs[k].frames.forEach(function (f) { lo = Math.min(lo, f.ts); hi = Math.max(hi, f.ts); });
		});
		if (lo === Infinity) { lo = 0; hi = 1; }
		if (hi - lo < 1e-6) hi = lo + 1e-3;
		return [lo, hi];
	}

	function layout(v) {
		var d = v.d, width = Math.max(200, v.view.clientWidth - 4), byTime = state.axis === "time";
		var range = byTime ? timeRange(v.s) : bytesRange(d);
		var span = range[1] - range[0];
		var scale = width / span * Math.pow(2, state.zoom);
		if (span * scale > MAX_WIDTH) scale = MAX_WIDTH / span;
		var minW = byTime ? 6 : 1;
		v.scale = scale;
		v.lo = range[0];
		v.total = Math.ceil(span * scale) + (byTime ? 80 : 2);
		function xb(off) { return (off - range[0]) * scale; }
		function tsOf(pkt, dflt) { return packetTs[pkt] !== undefined ? packetTs[pkt] : dflt; }
		function place(x0, x1) { return [x0, Math.max(x1, x0 + minW)]; }
		v.lanes = {
			segs: d.segs.map(function (g, i) {
				var p = byTime ? place(xb(g.ts), xb(g.ts) + g.len * 0) : place(xb(g.offset), xb(g.offset + g.len));
				return { x0: p[0], x1: p[1], kind: "seg", i: i };
			}).concat(d.gaps.map(function (g, i) {
				var ts = tsOf(g.anom.packet, range[0]);
				var p = byTime ? place(xb(ts), xb(ts)) : place(xb(g.offset), xb(g.offset + g.len));
				return { x0: p[0], x1: p[1], kind: "gap", i: i };
			})).sort(function (a, b) { return a.x0 - b.x0; }),
			frames: d.frames.map(function (f, i) {
				var p = byTime ? place(xb(tsOf(f.packets[0], f.ts)), xb(f.ts))
					       : place(xb(f.offset), xb(frameEnd(f)));
				return { x0: p[0], x1: p[1], kind: "frame", i: i };
			}),
			reads: v.reads.map(function (r, i) {
				var p = byTime ? place(xb(r.ts), xb(r.ts)) : place(xb(r.a), xb(r.b));
				return { x0: p[0], x1: p[1], kind: "read", i: i };
			}),
			marks: d.anoms.map(function (a, i) {
				var x = byTime ? xb(a.packet ? tsOf(a.packet, range[0]) : range[1]) : xb(a.offset);
				return { x0: x, x1: x + 1, kind: "mark", i: i };
			})
		};
		/* In time mode boxes follow arrival order: keep them sorted for the window search. */
		["frames", "reads", "marks"].forEach(function (k) {
			var l = v.lanes[k], sorted = true;
			for (var j = 1; j < l.length; j++) if (l[j].x0 < l[j - 1].x0) { sorted = false; break; }
			if (!sorted) l.sort(function (a, b) { return a.x0 - b.x0 || a.i - b.i; });
		});
		v.track.style.width = v.total + "px";
		v.drawn = null;
	}

	/* First item whose x1 reaches x (items sorted by x0, widths small). */
	function firstVisible(items, x) {
		var lo = 0, hi = items.length;
		while (lo < hi) {
			var mid = (lo + hi) >> 1;
			if (items[mid].x0 < x) lo = mid + 1; else hi = mid;
		}
		/* Step back over boxes that begin earlier and still reach x. */
		var i = lo, back = 0;
		while (i > 0 && back < 4096) {
			i--; back++;
			if (items[i].x1 >= x) lo = i;
		}
		return lo;
	}

	function label(v, it) {
		var d = v.d;
		switch (it.kind) {
		case "seg":
			var g = d.segs[it.i];
			if (g.retransmission) return "#" + g.packet + " " + t("seg_retx_label");
			return "#" + g.packet + (g.frames > 1 ? "  " + t("seg_sticky", g.frames) : "");
		case "gap": return t("gap_label", d.gaps[it.i].len);
		case "frame":
			var f = d.frames[it.i];
			return "#" + f.index + (f.resynced ? "?" : "") + " len=" + f.length +
				(f.header_split ? "  " + t("frame_hsplit", f.index) :
				 f.split ? "  " + t("frame_split", f.index, f.packets_total || f.packets.length) : "");
		case "read":
			var r = v.reads[it.i];
			return (r.b - r.a) + " B" + (r.glued ? " " + t("legend_glued") : "") +
				(r.half ? " " + t("legend_half") : "");
		}
		return "";
	}

	function boxFor(v, it) {
		var d = v.d, e;
		if (it.kind === "mark") {
			e = el("div", "mark");
			e.style.left = it.x0 + "px";
			e.setAttribute("data-anomaly", d.anoms[it.i].kind);
		} else {
			e = el("div", "box " + it.kind);
			e.style.left = it.x0 + "px";
			e.style.width = (it.x1 - it.x0) + "px";
			if (it.kind === "seg") {
				var g = d.segs[it.i];
				e.setAttribute("data-packet", g.packet);
				if (g.out_of_order) e.classList.add("ooo");
				if (g.retransmission) e.classList.add("retx");
				if (g.conflict) e.classList.add("conflict");
			} else if (it.kind === "gap") {
				e.className = "box seg gapbox";
			} else if (it.kind === "frame") {
				var f = d.frames[it.i];
				e.setAttribute("data-stream", f.stream);
				e.setAttribute("data-dir", f.dir);
				e.setAttribute("data-index", f.index);
				if (f.sticky) e.classList.add("sticky");
				if (f.split) e.classList.add("split");
				if (f.header_split) e.classList.add("hsplit");
				if (f.resynced) e.classList.add("resynced");
				if (f.prelude || f.prelude_len) e.classList.add("prelude");
				if (state.axis === "bytes") {
					var h = el("span", "h");
					h.style.width = Math.min(it.x1 - it.x0, f.header_len * v.scale) + "px";
					e.appendChild(h);
				}
			} else if (it.kind === "read") {
				var r = v.reads[it.i];
				if (r.glued) e.classList.add("glued");
				if (r.half) e.classList.add("half");
			}
			if (it.x1 - it.x0 > 30) e.appendChild(el("span", "t", label(v, it)));
		}
		e.setAttribute("data-k", it.kind);
		e.setAttribute("data-i", it.i);
		if (it.kind !== "seg") e.tabIndex = 0; /* keyboard: focus shows the details */
		return e;
	}

	/* Draw the lanes' boxes inside the window [left - margin, right + margin]. */
	function draw(v) {
		var left = v.view.scrollLeft, w = v.view.clientWidth, margin = w;
		var x0 = left - margin, x1 = left + w + margin;
		var key = state.axis + state.zoom + ":" + Math.floor(x0 / w);
		if (v.drawn === key) return;
		v.drawn = key;
		["segs", "frames", "reads", "marks"].forEach(function (k) {
			var lane = v.laneEls[k], items = v.lanes[k], frag = document.createDocumentFragment();
			var from = firstVisible(items, x0), shown = [];
			for (var i = from; i < items.length && items[i].x0 <= x1; i++)
				if (items[i].x1 >= x0) shown.push(items[i]);
			if (shown.length > MAX_BOXES) {
				var bin = Math.max(4, (x1 - x0) / 600), bins = {};
				shown.forEach(function (it) {
					var b = Math.floor(it.x0 / bin);
					bins[b] = (bins[b] || 0) + 1;
				});
				Object.keys(bins).forEach(function (b) {
					var a = el("div", "agg");
					a.style.left = (b * bin) + "px";
					a.style.width = bin + "px";
					a.setAttribute("data-k", "agg");
					a.setAttribute("data-n", bins[b]);
					a.setAttribute("data-lane", k);
					frag.appendChild(a);
				});
			} else {
				shown.forEach(function (it) { frag.appendChild(boxFor(v, it)); });
			}
			lane.textContent = "";
			lane.appendChild(frag);
		});
		drawAxis(v, x0, x1);
	}

	function niceStep(unitsPerPx) {
		var target = unitsPerPx * 120, p = Math.pow(10, Math.floor(Math.log10(target)));
		var m = target / p;
		return (m < 2 ? 2 : m < 5 ? 5 : 10) * p;
	}
	function drawAxis(v, x0, x1) {
		var ax = v.laneEls.axis, frag = document.createDocumentFragment(), byTime = state.axis === "time";
		var step = niceStep(1 / v.scale);
		var u0 = Math.max(0, Math.floor((x0 / v.scale) / step) * step);
		for (var u = u0; u * v.scale <= x1 && u * v.scale <= v.total; u += step) {
			var tk = el("div", "tick", byTime ? "+" + (+u.toPrecision(6)) + " s" : String(Math.round(v.lo + u)));
			tk.style.left = (u * v.scale) + "px";
			frag.appendChild(tk);
		}
		ax.textContent = "";
		ax.appendChild(frag);
	}

	/* ---- details ---- */
	function hexOf(h, max) {
		var out = [];
		for (var i = 0; i < h.length && i < 2 * max; i += 2) out.push(h.substr(i, 2));
		return out.join(" ");
	}
	function textOf(h, max) {
		var bytes = [];
		for (var i = 0; i < h.length && i < 2 * max; i += 2) bytes.push(parseInt(h.substr(i, 2), 16));
		var s;
		try { s = new TextDecoder("utf-8", { fatal: false }).decode(new Uint8Array(bytes)); }
		catch (e) { s = ""; }
		return s.replace(/[\u0000-\u001f\u007f]/g, ".");
	}
	function details(v, kind, i) {
		var d = v.d, lines = [];
		if (kind === "seg") {
			var g = d.segs[i];
			lines.push(t("seg_tip", g.packet, g.ts.toFixed(6), g.offset, g.offset + g.len, g.len, g.frames));
			if (g.frames > 1) lines.push(t("seg_sticky", g.frames));
			if (g.out_of_order) lines.push(t("seg_ooo"));
			if (g.unframed) lines.push(t("seg_unframed", g.unframed));
			if (g.retransmission) lines.push(t("seg_retx", g.offset, g.offset + g.len));
			else if (g.repeated) lines.push(t("seg_repeated", g.repeated));
			if (g.conflict) lines.push(t("seg_conflict"));
		} else if (kind === "gap") {
			var gp = d.gaps[i];
			lines.push(t("gap_tip", gp.len, gp.offset, gp.offset + gp.len));
			lines.push(detailOf(gp.anom));
		} else if (kind === "frame") {
			var f = d.frames[i];
			lines.push(t("frame_tip", f.index, f.offset, f.header_len, f.length, f.payload_len, f.packets.join(", ")));
			if (f.sticky) lines.push(t("frame_sticky"));
			if (f.split) lines.push(t("frame_split", f.index, f.packets_total || f.packets.length));
			if (f.header_split) lines.push(t("frame_hsplit", f.index));
			if (f.resynced) lines.push(t("frame_resynced"));
			if (f.prelude || f.prelude_len) lines.push(t("frame_prelude"));
			if (f.trailer_len) lines.push(t("frame_trailer", f.trailer_len));
			if (f.payload_missing) lines.push(t("frame_missing", f.payload_missing));
			if (f.payload_hex) {
				lines.push(t("preview_text", textOf(f.payload_hex, 48)));
				lines.push(t("preview_hex", hexOf(f.payload_hex, 24)));
			}
		} else if (kind === "read") {
			var r = v.reads[i];
			lines.push(t("read_tip", state.recv, r.who, r.b - r.a, r.a, r.b, r.what));
			if (r.glued) lines.push(t("read_glued", r.touched));
			if (r.half) lines.push(t("read_half"));
			if (r.queued > 0) lines.push(t("read_queued", r.queued));
		} else if (kind === "mark") {
			var a = d.anoms[i];
			lines.push(t("mark_tip", a.kind, a.offset, a.packet, detailOf(a)));
			if (settings.explain[a.kind]) lines.push("", settings.explain[a.kind]);
		}
		return lines.join("\n");
	}

	var tip = el("div", "tip");
	tip.id = "framecap-tip";
	function showTip(ev, text) {
		tip.textContent = "";
		tip.appendChild(el("pre", "mono", text));
		tip.classList.add("on");
		var x = ev.clientX + 14, y = ev.clientY + 14;
		tip.style.left = Math.min(x, window.innerWidth - tip.offsetWidth - 8) + "px";
		tip.style.top = (y + tip.offsetHeight > window.innerHeight ? ev.clientY - tip.offsetHeight - 8 : y) + "px";
	}
	function hideTip() { tip.classList.remove("on"); }

	function showBytes(v, kind, i) {
		var b = v.bytes, d = v.d;
		b.textContent = "";
		if (kind === "frame") {
			var f = d.frames[i], hex = f.payload_hex || "", rows = [];
			b.appendChild(el("h3", "", t("bytes_head", f.index, f.stream, f.dir)));
			for (var o = 0; o < hex.length; o += 32) {
				var line = hex.substr(o, 32);
				var off = ("0000" + (o / 2).toString(16)).slice(-5);
				var hx = line.replace(/(..)/g, "$1 ");
				rows.push(off + "  " + (hx + new Array(49).join(" ")).substr(0, 48) + " " + textOf(line, 16));
			}
			b.appendChild(el("pre", "mono", rows.join("\n")));
			b.appendChild(el("div", "muted", t("kept", hex.length / 2, f.payload_len)));
		} else {
			b.appendChild(el("pre", "mono", details(v, kind, i)));
		}
		b.classList.add("on");
		b.setAttribute("data-shown", kind + ":" + i);
	}

	/* ---- page ---- */
	var app = document.getElementById("app");
	app.textContent = "";
	document.title = t("title");
	app.appendChild(el("h1", "", t("title")));

	function card(n, name, id) {
		var c = el("div", "card");
		c.id = id;
		c.appendChild(el("b", "", String(n)));
		c.appendChild(document.createTextNode(name));
		return c;
	}
	app.appendChild(el("h2", "", t("summary")));
	var cards = el("div", "cards");
	cards.id = "framecap-summary";
	if (summary) {
		cards.appendChild(card(summary.packets, t("packets"), "sum-packets"));
		cards.appendChild(card(summary.streams_with_data, t("streams"), "sum-streams"));
		cards.appendChild(card(summary.frames, t("frames"), "sum-frames"));
		cards.appendChild(card(summary.sticky_segments, t("sticky_segments"), "sum-sticky"));
		cards.appendChild(card(summary.split_frames, t("split_frames"), "sum-split"));
		cards.appendChild(card(summary.anomalies, t("anomalies"), "sum-anomalies"));
		Object.keys(summary.anomaly_kinds || {}).forEach(function (k) {
			cards.appendChild(card(summary.anomaly_kinds[k], k, "sum-kind-" + k));
		});
	}
	app.appendChild(cards);

	var lo = settings.left_out || {}, parts = [];
	if (lo.streams) parts.push(t("left_streams", lo.streams, settings.max_streams));
	if (lo.frames) parts.push(t("left_frames", lo.frames));
	if (lo.segments) parts.push(t("left_segments", lo.segments));
	if (lo.anomalies) parts.push(t("left_anomalies", lo.anomalies));
	if (parts.length) {
		var note = el("div", "notice", t("left_out", parts.join(", ")));
		note.id = "framecap-left-out";
		app.appendChild(note);
	}

	/* Streams table: the worst problem of each. */
	var SEVERITY = ["gap", "oversize", "negative", "short_frame", "endian_suspect", "ascii_length_suspect",
			"adjustment_suspect", "truncated", "incomplete", "midstream", "resync", "unframed",
			"retransmit_conflict", "zero_run"];
	function worst(s) {
		var kinds = {}, hs = 0, sp = 0, st = 0;
		Object.keys(s.dirs).forEach(function (k) {
			var d = s.dirs[k];
			d.anoms.forEach(function (a) { kinds[a.kind] = (kinds[a.kind] || 0) + 1; });
			d.frames.forEach(function (f) { if (f.header_split) hs++; if (f.split) sp++; });
			d.segs.forEach(function (g) { if (g.frames > 1) st++; });
		});
		for (var i = 0; i < SEVERITY.length; i++)
			if (kinds[SEVERITY[i]]) return SEVERITY[i] + " (" + kinds[SEVERITY[i]] + ")";
		var other = Object.keys(kinds)[0];
		if (other) return other + " (" + kinds[other] + ")";
		if (hs) return t("worst_hsplit") + " (" + hs + ")";
		if (sp) return t("worst_split") + " (" + sp + ")";
		if (st) return t("worst_sticky") + " (" + st + ")";
		return t("worst_none");
	}
	/* Segments count those with new bytes, as the text view does. */
	function count(s, d, what) {
		var dd = s.dirs[d];
		return dd ? dd[what].length - (what === "segs" ? dd.retx : 0) : 0;
	}
	app.appendChild(el("h2", "", t("streams_table")));
	if (!order.length) app.appendChild(el("p", "muted", t("no_data")));
	var table = el("table", "streams");
	table.id = "framecap-streams";
	var tr = el("tr");
	["col_stream", "col_endpoints", "col_profile", "col_c2s", "col_s2c", "col_sticky", "col_split",
	 "col_anomalies", "col_worst"].forEach(function (k) { tr.appendChild(el("th", "", t(k))); });
	table.appendChild(tr);
	order.forEach(function (id) {
		var s = streams[id], row = el("tr"), a = el("a", "", String(id)), td = el("td", "n");
		var e = s.end || {}, c2s = e.c2s || {}, s2c = e.s2c || {};
		a.href = "#stream-" + id;
		td.appendChild(a);
		row.appendChild(td);
		row.appendChild(el("td", "mono", s.info ? s.info.client + " \u2192 " + s.info.server : ""));
		row.appendChild(el("td", "", s.info ? s.info.profile : ""));
		row.appendChild(el("td", "n", count(s, "c2s", "frames") + " / " + count(s, "c2s", "segs")));
		row.appendChild(el("td", "n", count(s, "s2c", "frames") + " / " + count(s, "s2c", "segs")));
		row.appendChild(el("td", "n", String((c2s.sticky_segments || 0) + (s2c.sticky_segments || 0))));
		row.appendChild(el("td", "n", String((c2s.split_frames || 0) + (s2c.split_frames || 0))));
		row.appendChild(el("td", "n", String(count(s, "c2s", "anoms") + count(s, "s2c", "anoms"))));
		row.appendChild(el("td", "", worst(s)));
		table.appendChild(row);
	});
	app.appendChild(table);

	/* Controls and legend. */
	var ctl = el("div", "controls");
	ctl.id = "framecap-controls";
	var recvL = el("label", "", t("recv_label") + " "), recvIn = el("input");
	recvIn.type = "number";
	recvIn.min = "1";
	recvIn.max = "1073741824";
	recvIn.value = String(state.recv);
	recvIn.id = "framecap-recv";
	recvL.appendChild(recvIn);
	var axisL = el("label", "", t("axis_label") + " "), axisSel = el("select");
	axisSel.id = "framecap-axis";
	[["bytes", t("axis_bytes")], ["time", t("axis_time")]].forEach(function (o) {
		var op = el("option", "", o[1]);
		op.value = o[0];
		axisSel.appendChild(op);
	});
	axisL.appendChild(axisSel);
	var zoomL = el("label", "", t("zoom_label") + " "), zoomIn = el("input"), zoomOut = el("span", "mono", "\u00d71");
	zoomIn.type = "range";
	zoomIn.min = "0";
	zoomIn.max = "24";
	zoomIn.value = "0";
	zoomIn.id = "framecap-zoom";
	zoomL.appendChild(zoomIn);
	zoomL.appendChild(zoomOut);
	var fit = el("button", "", t("zoom_fit"));
	fit.id = "framecap-fit";
	ctl.appendChild(recvL);
	ctl.appendChild(axisL);
	ctl.appendChild(zoomL);
	ctl.appendChild(fit);
	app.appendChild(ctl);
	var legend = el("div", "legend");
	[["box seg", "legend_seg"], ["box seg ooo", "legend_ooo"], ["box seg gapbox", "legend_gap"],
	 ["box seg retx", "legend_retx"],
	 ["box frame", "legend_hdr"], ["box frame sticky", "legend_sticky"], ["box frame split", "legend_split"],
	 ["box frame hsplit", "legend_hsplit"], ["box frame resynced", "legend_resync"],
	 ["box frame prelude", "legend_prelude"], ["box read", "legend_read"], ["box read glued", "legend_glued"],
	 ["box read half", "legend_half"], ["mark", "legend_mark"], ["agg", "legend_agg"]].forEach(function (l) {
		var sp = el("span"), sw = el("i", "sw " + l[0].replace("box ", ""));
		sw.style.position = "relative";
		sw.style.left = "0";
		sw.style.top = "0";
		if (l[0] === "box frame" || l[0] === "box frame sticky") {
			var h = el("span", "h");
			h.style.width = "35%";
			sw.appendChild(h);
		}
		sp.appendChild(sw);
		sp.appendChild(document.createTextNode(t(l[1])));
		legend.appendChild(sp);
	});
	app.appendChild(legend);
	app.appendChild(el("p", "muted", t("click_hint")));

	/* One section per stream, one lane diagram per direction. */
	order.forEach(function (id) {
		var s = streams[id], sec = el("section", "stream");
		sec.id = "stream-" + id;
		sec.appendChild(el("h2", "mono", s.info ? t("stream_head", id, s.info.client, s.info.server, s.info.profile)
							: "stream " + id));
		["c2s", "s2c"].forEach(function (dn) {
			var d = s.dirs[dn];
			if (!d) return;
			d.segs.forEach(function (g) { packetTs[g.packet] = g.ts; });
			var box = el("div", "dir"), lanes = el("div", "lanes"), names = el("div", "names");
			box.setAttribute("data-stream", id);
			box.setAttribute("data-dir", dn);
			var head = t("dir_head", dn, d.frames.length, d.segs.length - d.retx);
			if (d.retx)
				head += "; " + t("dir_retrans", d.retx);
			box.appendChild(el("h3", "", head));
			var an = el("div", "axisname", "");
			names.appendChild(an);
			["lane_segs", "lane_frames", "lane_reads", "lane_marks"].forEach(function (k) {
				names.appendChild(el("div", "", t(k)));
			});
			var view = el("div", "view"), track = el("div", "track"), laneEls = {};
			view.setAttribute("role", "group");
			view.setAttribute("aria-label", t("dir_head", dn, d.frames.length, d.segs.length - d.retx));
			["axis", "segs", "frames", "reads", "marks"].forEach(function (k) {
				laneEls[k] = el("div", "lane " + k);
				laneEls[k].setAttribute("data-lane", k);
				if (k === "segs" && d.retx) laneEls[k].classList.add("has-retx");
				track.appendChild(laneEls[k]);
			});
			view.appendChild(track);
			lanes.appendChild(names);
			lanes.appendChild(view);
			box.appendChild(lanes);
			var bytes = el("div", "bytes");
			box.appendChild(bytes);
			sec.appendChild(box);
			views.push({ s: s, d: d, view: view, track: track, laneEls: laneEls, bytes: bytes, reads: [] });
		});
		app.appendChild(sec);
	});
	document.body.appendChild(tip);

	function find(target) {
		var e = target.closest ? target.closest("[data-k]") : null;
		if (!e) return null;
		var view = e.closest(".view");
		for (var i = 0; i < views.length; i++)
			if (views[i].view === view) return { v: views[i], e: e };
		return null;
	}
	app.addEventListener("mouseover", function (ev) {
		var f = find(ev.target);
		if (!f) { hideTip(); return; }
		var k = f.e.getAttribute("data-k");
		if (k === "agg") {
			showTip(ev, t("agg_tip", f.e.getAttribute("data-n"), t("lane_" + f.e.getAttribute("data-lane"))));
			return;
		}
		showTip(ev, details(f.v, k, +f.e.getAttribute("data-i")));
	});
	app.addEventListener("mouseleave", hideTip);
	app.addEventListener("focusin", function (ev) {
		var f = find(ev.target), k = f && f.e.getAttribute("data-k");
		if (!f || k === "agg") return;
		var r = f.e.getBoundingClientRect();
		showTip({ clientX: r.left, clientY: r.bottom }, details(f.v, k, +f.e.getAttribute("data-i")));
	});
	app.addEventListener("focusout", hideTip);
	app.addEventListener("keydown", function (ev) {
		var f = find(ev.target);
		if (f && (ev.key === "Enter" || ev.key === " ")) {
			ev.preventDefault();
			showBytes(f.v, f.e.getAttribute("data-k"), +f.e.getAttribute("data-i"));
		}
	});
	app.addEventListener("click", function (ev) {
		var f = find(ev.target);
		if (!f) return;
		var k = f.e.getAttribute("data-k");
		if (k === "frame" || k === "mark" || k === "read" || k === "seg" || k === "gap")
			showBytes(f.v, k, +f.e.getAttribute("data-i"));
	});

	var pending = false;
	function redrawSoon() {
		if (pending) return;
		pending = true;
		requestAnimationFrame(function () { pending = false; views.forEach(draw); });
	}
	var syncing = false;
	views.forEach(function (v) {
		v.view.addEventListener("scroll", function () {
			/* On the shared time axis both directions scroll together. */
			if (state.axis === "time" && !syncing) {
				syncing = true;
				views.forEach(function (w) {
					if (w !== v && w.s === v.s) w.view.scrollLeft = v.view.scrollLeft;
				});
				syncing = false;
			}
			redrawSoon();
		}, { passive: true });
	});

	function relayout(keepReads) {
		views.forEach(function (v) {
			if (!keepReads) v.reads = reads(v.d, state.recv);
			layout(v);
		});
		zoomOut.textContent = "\u00d7" + Math.pow(2, state.zoom);
		views.forEach(draw);
	}
	recvIn.addEventListener("change", function () {
		var n = Math.floor(+recvIn.value);
		if (!(n >= 1 && n <= 1073741824)) { recvIn.value = String(state.recv); return; }
		state.recv = n;
		relayout(false);
	});
	axisSel.addEventListener("change", function () { state.axis = axisSel.value; relayout(true); });
	zoomIn.addEventListener("input", function () {
		var frac = views.map(function (v) { return (v.view.scrollLeft + v.view.clientWidth / 2) / Math.max(1, v.total); });
		state.zoom = +zoomIn.value;
		relayout(true);
		views.forEach(function (v, i) { v.view.scrollLeft = frac[i] * v.total - v.view.clientWidth / 2; draw(v); });
	});
	fit.addEventListener("click", function () { zoomIn.value = "0"; state.zoom = 0; relayout(true); });
	window.addEventListener("resize", function () { relayout(true); });
	relayout(false);
	document.documentElement.setAttribute("data-ready", "1");
})();
