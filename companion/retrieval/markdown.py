"""Turn real-world Markdown (Docusaurus, MDX, Jekyll/Liquid, inline HTML) into plain prose.

Headings survive as ATX lines (`## Heading`) so the chunker can build heading paths;
everything that is markup rather than prose is removed.
"""

from __future__ import annotations

import html
import re
from typing import Any

_FENCE = re.compile(r"^\s*(```|~~~)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_COMMENT_END = re.compile(r"-->")
# (pattern, its closer) per tag, so that the closer needs no backreference; see _sub_closed.
_DROP_BLOCKS = tuple(
    (re.compile(rf"<{tag}\b[^<>]*>.*?</{tag}\s*>", re.S | re.I), re.compile(rf"</{tag}\s*>", re.I))
    for tag in ("head", "script", "style", "iframe", "svg")
)
_HTML_HEADINGS = tuple(
    (re.compile(rf"<h({level})\b[^<>]*>(.*?)</h{level}\s*>", re.S | re.I), re.compile(rf"</h{level}\s*>", re.I))
    for level in range(1, 7)
)
_MDX_IMPORT_EXPORT = re.compile(r"^\s*(import\s.+\sfrom\s.+|import\s+['\"].+['\"];?|export\s+(default\s+)?\w+.*)$")
_JSX_SELF_CLOSING = re.compile(r"<[A-Z][\w.]*\b[^<>]*/>", re.S)
_JSX_TAG = re.compile(r"</?[A-Z][\w.]*\b[^<>]*>", re.S)
_ADMONITION = re.compile(r"^\s*:::\s*([a-zA-Z]+)?\s*(.*)$")
_LIQUID_TAG = re.compile(r"\{%.*?%\}", re.S)
_LIQUID_TAG_END = re.compile(r"%\}")
_LIQUID_OUTPUT = re.compile(r"\{\{.*?\}\}", re.S)
_LIQUID_OUTPUT_END = re.compile(r"\}\}")
_BLOCK_TAG_BREAK = re.compile(
    r"</?(p|div|li|ul|ol|tr|table|tbody|thead|dl|dt|dd|aside|section|blockquote)\b[^<>]*>", re.I
)
_BR = re.compile(r"<br\s*/?>", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][\w:-]*(\s[^<>]*)?/?>", re.S)
# Inline patterns never let a bracket, paren or delimiter run past the next opener of the same
# kind: otherwise a line of 100,000 "[" makes every "[" scan to the end of the line (minutes).
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_LINK = re.compile(r"\[([^\[\]]+)\]\((?:[^()]|\([^()]*\))*\)")
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$")
_AUTOLINK = re.compile(r"<(https?://|mailto:)[^<>]+>")
_EMOJI_SHORTCODE = re.compile(r"(?<![\w:]):[a-z0-9_+-]{2,}:(?![\w:])")
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, symbols & pictographs ext.
    "\U00002600-\U000027bf"  # misc symbols, dingbats
    "\U0001f1e6-\U0001f1ff"  # flags
    "\U0000fe0f\U0000200d\U000020e3"  # variation selector, zero-width joiner, keycap
    "\U00002b00-\U00002bff"  # arrows and stars used as emoji
    "]+"
)
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)((?:(?!\1).)+?)(?<=\S)\1")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SPACES = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\n{3,}")


def _clean_inline(line: str) -> str:
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _REF_LINK.sub(r"\1", line)
    line = _AUTOLINK.sub("", line)
    line = _EMPHASIS.sub(r"\2", line)
    line = _EMOJI_SHORTCODE.sub("", line)
    line = _EMOJI.sub("", line)
    return _SPACES.sub(" ", line).rstrip()


def _sub_closed(pattern: re.Pattern[str], closer: re.Pattern[str], repl: Any, text: str) -> str:
    """`pattern.sub` for an `opener.*?closer` pattern, applied only up to the end of the last closer.

    No match can start after the last closer, and without the cut the regex engine tries every
    opener there against the whole rest of the text, which is quadratic ("<!--" * 100_000).
    """
    last = None
    for last in closer.finditer(text):  # noqa: B007 - only the last one is wanted
        pass
    if last is None:
        return text
    return pattern.sub(repl, text[: last.end()]) + text[last.end() :]


def _heading_tag(match: re.Match[str]) -> str:
    return "\n" + "#" * int(match.group(1)) + " " + match.group(2) + "\n"


def clean_markdown(body: str) -> str:
    """Return the prose of a Markdown/MDX body, keeping ATX headings and fenced code."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text = _sub_closed(_HTML_COMMENT, _COMMENT_END, "", text)
    for block, closer in _DROP_BLOCKS:
        text = _sub_closed(block, closer, "", text)
    for html_heading, closer in _HTML_HEADINGS:
        text = _sub_closed(html_heading, closer, _heading_tag, text)
    text = _sub_closed(_LIQUID_TAG, _LIQUID_TAG_END, "", text)
    text = _sub_closed(_LIQUID_OUTPUT, _LIQUID_OUTPUT_END, "", text)
    text = _JSX_SELF_CLOSING.sub("", text)
    text = _JSX_TAG.sub("", text)
    text = _BR.sub("\n", text)
    text = _BLOCK_TAG_BREAK.sub("\n", text)

    out: list[str] = []
    in_fence = False
    for raw in text.split("\n"):
        if _FENCE.match(raw):
            in_fence = not in_fence
            out.append(raw.rstrip())
            continue
        if in_fence:
            out.append(raw.rstrip())
            continue
        if _MDX_IMPORT_EXPORT.match(raw) or _LINK_DEFINITION.match(raw):
            continue
        admonition = _ADMONITION.match(raw)
        if admonition:
            title = admonition.group(2).strip()
            if title:
                out.append(_clean_inline(title))
            continue
        line = _ANY_TAG.sub("", raw)
        line = html.unescape(line).replace("\u00a0", " ")
        heading = _ATX.match(line.strip())
        if heading:
            title = _clean_inline(heading.group(2)).strip()
            out.append(f"{heading.group(1)} {title}" if title else "")
            continue
        out.append(_clean_inline(line))
    cleaned = "\n".join(out)
    return _BLANKS.sub("\n\n", cleaned).strip()


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split `---` front matter from the body: (front matter or None, body, body's first line number)."""
    if not text.startswith("---"):
        return None, text, 1
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise ValueError("front matter starts with '---' but is never closed")
