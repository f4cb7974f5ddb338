"""Turn real-world Markdown (Docusaurus, MDX, Jekyll/Liquid, inline HTML) into plain prose.

Headings survive as ATX lines (`## Heading`) so the chunker can build heading paths;
everything that is markup rather than prose is removed.
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"^\s*(```|~~~)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_DROP_BLOCKS = re.compile(r"<(head|script|style|iframe|svg)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.S | re.I)
_MDX_IMPORT_EXPORT = re.compile(r"^\s*(import\s.+\sfrom\s.+|import\s+['\"].+['\"];?|export\s+(default\s+)?\w+.*)$")
_JSX_SELF_CLOSING = re.compile(r"<[A-Z][\w.]*\b[^<>]*/>", re.S)
_JSX_TAG = re.compile(r"</?[A-Z][\w.]*\b[^<>]*>", re.S)
_ADMONITION = re.compile(r"^\s*:::\s*([a-zA-Z]+)?\s*(.*)$")
_LIQUID_TAG = re.compile(r"\{%.*?%\}", re.S)
_LIQUID_OUTPUT = re.compile(r"\{\{.*?\}\}", re.S)
_BLOCK_TAG_BREAK = re.compile(
    r"</?(p|div|li|ul|ol|tr|table|tbody|thead|dl|dt|dd|aside|section|blockquote)\b[^>]*>", re.I
)
_BR = re.compile(r"<br\s*/?>", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z][\w:-]*(\s[^<>]*)?/?>", re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$")
_AUTOLINK = re.compile(r"<(https?://|mailto:)[^>]+>")
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
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
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


def clean_markdown(body: str) -> str:
    """Return the prose of a Markdown/MDX body, keeping ATX headings and fenced code."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text = _HTML_COMMENT.sub("", text)
    text = _DROP_BLOCKS.sub("", text)
    text = _HTML_HEADING.sub(lambda m: "\n" + "#" * int(m.group(1)) + " " + m.group(2) + "\n", text)
    text = _LIQUID_TAG.sub("", text)
    text = _LIQUID_OUTPUT.sub("", text)
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
