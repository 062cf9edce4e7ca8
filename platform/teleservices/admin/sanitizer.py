"""The welcome message's safe HTML (ADM-4): bold, italic and http(s)/mailto links only, via nh3.

Script and style elements are dropped with their content, event-handler attributes and
``javascript:`` (or any other scheme) URLs are removed, and links get ``rel="noopener noreferrer"``.
Line breaks typed by the staff become ``<br>`` when the message is shown.
"""

from __future__ import annotations

import nh3
from markupsafe import Markup

MAX_LENGTH = 2000
ALLOWED_TAGS = {"b", "strong", "i", "em", "a", "br", "p"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def normalise_newlines(text: str) -> str:
    """Browsers post ``\\r\\n``: count and store one character per line break."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean(html: str) -> str:
    """Keep only bold, italic, paragraphs, line breaks and safe links."""
    return nh3.clean(
        normalise_newlines(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(html: str) -> Markup:
    """The message ready to show: sanitised again (defence in depth), line breaks as ``<br>``."""
    return Markup(clean(normalise_newlines(html).replace("\n", "<br>\n")))  # noqa: S704 - nh3 output
