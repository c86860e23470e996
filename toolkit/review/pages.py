"""The review site's HTML: one article's page, the canonical agreements page and the index.

Everything written into the pages came from contributors (article text, quotes, notes, ids),
so every string goes through :func:`esc` (text and attributes) and the page data through
:func:`script_json` (a JSON island no ``</script>`` or ``<!--`` inside a string can end). The
script reads the data and the DOM and writes only with ``textContent``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any

from toolkit.review.canonical import AgreementReport
from toolkit.review.model import SPAN_KINDS, ArticleView, Record

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def esc(value: object) -> str:
    """*value* as HTML text or attribute value. A carriage return is written as a character
    reference, which the parser keeps (a raw one it would turn into a line feed, and the
    offsets would no longer match the text)."""
    return html.escape(str(value), quote=True).replace("\r", "&#13;")


def script_json(data: Any) -> str:
    """*data* as JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        "".join(_JSON_ESCAPES.get(c, c) for c in text)
        if any(c in text for c in _JSON_ESCAPES)
        else text
    )


def _page(title: str, up: str, body: str, data: Any | None = None, kind: str = "") -> str:
    island = (
        f'<script type="application/json" id="review-data">{script_json(data)}</script>\n'
        if data is not None
        else ""
    )
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}static/review.css">\n</head>\n'
        f'<body class="{kind}">\n'
        f'<nav class="top"><a href="{up}index.html">Index</a>'
        f'<a href="{up}canonical.html">Canonical agreements</a></nav>\n'
        f"{body}\n{island}"
        f'<script src="{up}static/review.js"></script>\n</body>\n</html>\n'
    )


def _legend() -> str:
    items = "".join(f'<span class="seg k-{k}">{k}</span>' for k in SPAN_KINDS)
    return (
        f'<p class="legend" aria-label="Legend">{items}'
        '<span class="seg has-finding">finding</span></p>'
    )


def _text(view: ArticleView) -> str:
    if view.text is None:
        return '<p class="missing">The article text is missing or unreadable.</p>'
    finding_at: dict[int, list[str]] = {}
    messages: dict[int, list[str]] = {}
    for f in view.findings:
        if f.span is not None:
            finding_at.setdefault(f.span, []).append(f.finding.code)
            messages.setdefault(f.span, []).append(f"{f.finding.code}: {f.finding.message}")
    first_of: set[int] = set()
    out = []
    for start, end, ids in view.segments():
        piece = esc(view.text[start:end])
        if not ids:
            out.append(piece)
            continue
        kinds = {view.spans[i].kind for i in ids}
        classes = ["seg", *(f"k-{k}" for k in SPAN_KINDS if k in kinds)]
        if len(ids) > len(kinds):
            classes.append("deep")
        codes = [c for i in ids for c in finding_at.get(i, ())]
        attrs = ""
        if codes:
            classes.append("has-finding")
            fresh = [i for i in ids if i in finding_at and i not in first_of]
            if fresh:
                first_of.update(fresh)
                shown = [c for i in fresh for c in finding_at[i]]
                said = "\n".join(m for i in fresh for m in messages[i])
                attrs = f' data-codes="{esc(" ".join(dict.fromkeys(shown)))}" title="{esc(said)}"'
        out.append(
            f'<span class="{" ".join(classes)}" data-s="{" ".join(map(str, ids))}"'
            f'{attrs} tabindex="0" role="button">{piece}</span>'
        )
    return f'<div id="text" class="text" lang="und">{"".join(out)}</div>'


def _record(rec: Record, view: ArticleView, first: bool) -> str:
    fields = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rec.fields if v != "")
    unplaced = sum(not view.spans[i].placed for i in rec.spans)
    notes = []
    if unplaced:
        notes.append(f'<p class="unplaced">{unplaced} evidence span(s) cannot be drawn</p>')
    if rec.findings:
        notes.append(f'<span class="badge">{len(rec.findings)} finding(s)</span>')
    return (
        f'<li role="option" id="rec-{rec.id}" class="rec k-{esc(rec.kind)}" data-r="{rec.id}" '
        f'tabindex="{0 if first else -1}" aria-selected="false">'
        f'<div class="rec-head"><span class="kind">{esc(rec.kind)}</span> '
        f"<strong>{esc(rec.label)}</strong> <code>{esc(rec.ident)}</code> {''.join(notes)}</div>"
        f"<dl>{fields}</dl></li>"
    )


def _finding_items(view: ArticleView) -> str:
    items = []
    for fv in view.findings:
        f = fv.finding
        span = f' data-span="{fv.span}"' if fv.span is not None else ""
        rec = f' data-r="{fv.record}"' if fv.record is not None else ""
        items.append(
            f'<li class="finding sev-{esc(f.severity)}" id="f-{fv.id}"{span}{rec} tabindex="0">'
            f'<span class="sev">{esc(f.severity)}</span> <code>{esc(f.code)}</code> '
            f'<span class="where">{f.line}:{f.column} {esc(f.pointer)}</span>'
            f'<p class="msg">{esc(f.message)}</p><p class="hint">{esc(f.hint)}</p></li>'
        )
    if not items:
        return '<p class="none">No findings.</p>'
    return f'<ul class="findings">{"".join(items)}</ul>'


def article_page(view: ArticleView) -> str:
    """The page of one article: the text with its spans, the findings, the records."""
    counts = view.counts()
    errors = sum(f.finding.severity == "error" for f in view.findings)
    summary = (
        f"{counts['agreement']} agreements, {counts['actor']} actors, {counts['date']} dates; "
        f"{errors} error(s), {len(view.findings) - errors} warning(s)"
        + ("" if view.annotated else "; no annotation document")
    )
    records = "".join(_record(r, view, i == 0) for i, r in enumerate(view.records))
    body = (
        f'<header><h1>{esc(view.title)}</h1><p class="meta"><code>{esc(view.article_id)}</code>'
        f" · {esc(summary)}</p>{_legend()}</header>\n"
        '<main class="article">\n'
        f'<section class="text-pane" aria-label="Article text">{_text(view)}</section>\n'
        '<aside class="panel">'
        '<section id="span-info" aria-live="polite"><h2>Selected passage</h2>'
        '<p class="none">Select a highlighted passage to list its records.</p></section>'
        f"<section><h2>Findings ({len(view.findings)})</h2>{_finding_items(view)}</section>"
        f"<section><h2>Records ({len(view.records)})</h2>"
        '<p class="keys">j/k or ↓/↑ move between records, Enter or Space selects, '
        "n/p move between passages, Esc clears.</p>"
        f'<ul id="records" role="listbox" aria-label="Records">{records}</ul></section>'
        "</aside>\n</main>"
    )
    data = {
        "article": view.article_id,
        "records": [
            {
                "kind": r.kind,
                "id": r.ident,
                "label": r.label,
                "pointer": r.pointer,
                "spans": r.spans,
            }
            for r in view.records
        ],
        "spans": [
            {
                "record": s.record,
                "kind": s.kind,
                "pointer": s.pointer,
                "quote": s.quote,
                "u16": [s.u16_start, s.u16_end] if s.placed else None,
            }
            for s in view.spans
        ],
        "findings": [
            {"span": f.span, "record": f.record, "code": f.finding.code} for f in view.findings
        ],
    }
    return _page(f"{view.article_id} · review", "../", body, data, "article-page")


def canonical_page(
    groups: list[tuple[str, list[AgreementReport]]],
    built: set[str],
    incoming: dict[str, list[tuple[str, str]]],
) -> Iterator[str]:
    """Every canonical key with each article's report of it side by side, in pieces to
    write one after the other; keys whose reports disagree on status are marked. *built*
    are the articles with a page to link to; *incoming* maps a key to the (relation, key)
    pairs of the agreements that point to it."""
    anchor = {key: f"k-{i}" for i, (key, _) in enumerate(groups)}
    conflicts = sum(len({r.status for r in reports}) > 1 for _, reports in groups)
    head, tail = _page("Canonical agreements · review", "", "\0", None, "canonical-page").split(
        "\0"
    )
    yield head
    yield (
        "<header><h1>Canonical agreements</h1>"
        f'<p class="meta">{len(groups)} canonical key(s), {conflicts} with a status conflict</p>'
        '</header>\n<main class="canonical">'
    )
    for key, reports in groups:
        statuses = sorted({r.status for r in reports})
        conflict = len(statuses) > 1
        badge = (
            f' <span class="badge conflict">status conflict: {esc(", ".join(statuses))}</span>'
            if conflict
            else ""
        )
        rels = sorted({rel for r in reports for rel in r.relations})
        links = [_key_link(anchor, rel, k) for rel, k in rels]
        links += [_key_link(anchor, f"{rel} (from)", k) for rel, k in incoming.get(key, ())]
        rel_html = f'<p class="relations">{"; ".join(links)}</p>' if links else ""
        cards = "".join(_report_card(r, built, conflict) for r in reports)
        yield (
            f'<section class="canon{" conflict" if conflict else ""}" id="{anchor[key]}">'
            f"<h2><code>{esc(key)}</code> <small>{len(reports)} report(s)</small>{badge}</h2>"
            f'{rel_html}<div class="reports">{cards}</div></section>\n'
        )
    yield "</main>"
    yield tail


def _key_link(anchor: dict[str, str], relation: str, key: str) -> str:
    target = (
        f'<a href="#{anchor[key]}"><code>{esc(key)}</code></a>'
        if key in anchor
        else (f"<code>{esc(key)}</code>")
    )
    return f"{esc(relation)} → {target}"


def _report_card(r: AgreementReport, built: set[str], conflict: bool) -> str:
    article = (
        f'<a href="articles/{esc(r.article_id)}.html#{esc(r.pointer)}">{esc(r.article_id)}</a>'
        if r.article_id in built
        else esc(r.article_id)
    )
    trigger = f"<dt>trigger</dt><dd>{esc(r.trigger)}</dd>" if r.trigger is not None else ""
    quotes = "".join(f"<blockquote>{esc(q)}</blockquote>" for q in r.quotes)
    status_class = ' class="status-conflict"' if conflict else ""
    return (
        f'<article class="report"><h3>{article} <code>{esc(r.agreement_id)}</code></h3>'
        f"<p>{esc(r.title)}</p>"
        f"<dl><dt>status</dt><dd{status_class}>{esc(r.status)}</dd>"
        f"<dt>factuality</dt><dd>{esc(r.factuality)}</dd>{trigger}</dl>{quotes}</article>"
    )


def index_page(
    rows: list[dict[str, Any]], dataset_findings: list[Any], totals: dict[str, int]
) -> str:
    """The index: one row per article built (counts and findings), the dataset's findings."""
    lines = []
    for row in rows:
        lines.append(
            f'<tr class="{"has-errors" if row["errors"] else ""}">'
            f'<td><a href="articles/{esc(row["article_id"])}.html"><code>'
            f"{esc(row['article_id'])}</code></a></td><td>{esc(row['title'])}</td>"
            + "".join(
                f'<td class="n">{row[k]}</td>'
                for k in ("agreement", "actor", "date", "errors", "warnings")
            )
            + "</tr>"
        )
    other = "".join(
        f'<li class="finding sev-{esc(f.severity)}"><span class="sev">{esc(f.severity)}</span> '
        f"<code>{esc(f.code)}</code> <code>{esc(f.file)}:{f.line}:{f.column}</code> "
        f'{esc(f.pointer)}<p class="msg">{esc(f.message)}</p><p class="hint">{esc(f.hint)}</p>'
        "</li>"
        for f in dataset_findings
    )
    body = (
        "<header><h1>Review of the annotations</h1>"
        f'<p class="meta">{totals["articles"]} article(s), {totals["agreement"]} agreements, '
        f"{totals['actor']} actors, {totals['date']} dates; {totals['errors']} error(s), "
        f'{totals["warnings"]} warning(s). <a href="canonical.html">{totals["keys"]} canonical '
        f"agreement(s)</a>, {totals['conflicts']} with a status conflict.</p></header>\n"
        '<main class="index"><table><thead><tr><th>article</th><th>title</th>'
        "<th>agreements</th><th>actors</th><th>dates</th><th>errors</th><th>warnings</th>"
        f"</tr></thead><tbody>{''.join(lines)}</tbody></table>"
        + (f'<h2>Findings in other files</h2><ul class="findings">{other}</ul>' if other else "")
        + "</main>"
    )
    return _page("Review of the annotations", "", body, None, "index-page")
