"""Lesson Markdown: split front matter, render to sanitized HTML with an anchor on every block."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from .course import Block

_ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol",
    "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
# No style attributes: the Content-Security-Policy forbids inline styles.
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "*": {"id"}}
_BLOCK_OPENERS = {"paragraph_open", "heading_open", "th_open", "td_open"}
_WHITESPACE = re.compile(r"\s+")


def _markdown() -> MarkdownIt:
    # Raw HTML off: authors write Markdown; nh3 below is the second line of defence.
    return MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)


_PARSER = _markdown()


@dataclass(frozen=True)
class RenderedMarkdown:
    front_matter: str | None
    html: str
    blocks: tuple[Block, ...]
    top_level_headings: int


def normalize_text(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _WHITESPACE.sub(" ", text).strip()


def plain_text(inline: Token) -> str:
    """Return the text a reader sees in an inline token: emphasis markers and URLs dropped."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return normalize_text("".join(parts))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def _anchor_owner(tokens: list[Token], index: int) -> Token | None:
    """Return the block token that should carry the anchor for the inline token at index."""
    opener = tokens[index - 1] if index > 0 else None
    if opener is None or opener.type not in _BLOCK_OPENERS:
        return None
    if opener.type == "paragraph_open" and opener.hidden:
        # Tight list items hide their paragraph: anchor the list item instead.
        for back in range(index - 2, -1, -1):
            if tokens[back].type == "list_item_open" and tokens[back].level == opener.level - 1:
                return tokens[back]
        return None
    return opener


def render_markdown(source: str) -> RenderedMarkdown:
    """Render Markdown with front matter into sanitized HTML and its anchored text blocks."""
    tokens = _PARSER.parse(source)
    front_matter = None
    blocks: list[Block] = []
    used: set[str] = set()
    paragraph_count = 0
    top_level_headings = 0
    for index, token in enumerate(tokens):
        if token.type == "front_matter":
            front_matter = token.content
            continue
        if token.type == "heading_open" and token.tag == "h1":
            top_level_headings += 1
        if token.type != "inline":
            continue
        owner = _anchor_owner(tokens, index)
        if owner is None:
            continue
        text = plain_text(token)
        anchor = owner.attrGet("id")
        if anchor is None:
            if owner.type == "heading_open":
                base = _slug(text)
                anchor, suffix = base, 2
                while anchor in used:
                    anchor, suffix = f"{base}-{suffix}", suffix + 1
            else:
                paragraph_count += 1
                anchor = f"p{paragraph_count}"
            used.add(anchor)
            owner.attrSet("id", anchor)
        level = int(owner.tag[1]) if owner.type == "heading_open" else 0
        blocks.append(Block(anchor=str(anchor), text=text, level=level))
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    clean_html = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return RenderedMarkdown(front_matter, clean_html, tuple(blocks), top_level_headings)


def find_passage(blocks: tuple[Block, ...], passage: str) -> str | None:
    """Return the anchor of the first block whose text contains the passage, or None."""
    wanted = normalize_text(passage)
    if not wanted:
        return None
    for block in blocks:
        if wanted in block.text:
            return block.anchor
    return None
