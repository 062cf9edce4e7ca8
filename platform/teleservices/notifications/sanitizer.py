"""Staff-written letter text, made safe with nh3 (NOT-2).

Only paragraphs, line breaks, bold, italic, underline, lists and links to ``http(s)`` addresses are
kept. Scripts and styles go with their content; every other element loses its tag but keeps its
text; event handlers, styles, classes and any other attribute are dropped, and so is a link to
``javascript:``, ``data:``, a relative or a protocol-relative address. Nothing left can make
WeasyPrint fetch a resource or change the letter's layout.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "u", "ul", "ol", "li", "a"})
WEB_PREFIXES = ("http://", "https://")


def _keep_web_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and value.strip().lower().startswith(WEB_PREFIXES):
        return value.strip()
    return None


def clean(html: str) -> str:
    """The text with only the allowed elements and ``http(s)`` links."""
    text = html.replace("\r\n", "\n").replace("\r", "\n")
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href"}},
        attribute_filter=_keep_web_links,
        url_schemes={"http", "https"},
        link_rel=None,
        strip_comments=True,
    ).strip()
