"""Front matter: the file defaults (pathway, tags, source) and the card separators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pearldeck.markdown_import.common import (
    _PATHWAY_LIST,
    MAX_FRONT_MATTER_BYTES,
    MAX_FRONT_MATTER_DEPTH,
    _collapse,
    _norm_tag,
    _quote,
    pathway_named,
)

if TYPE_CHECKING:
    import yaml


class FrontMatterReader:
    """Mixin of the parser: reads front matter into `fm_*` attributes, problems by line."""

    fm_pathway: str | None
    fm_tags: list[str]
    fm_source: str | None
    fm_seps: dict[str, str]

    def problem(self, line: int, message: str) -> None:
        raise NotImplementedError

    def front_matter(self, text: str) -> str | None:
        """The text with front matter lines blanked (so token lines stay true), or None."""
        end = text.find("\n")
        if (text if end < 0 else text[:end]).rstrip() != "---":
            return text
        pos, index = end + 1, 1  # where line number `index` (0-based) starts
        while end >= 0:  # else "---" is the only line: not closed
            if pos - end > MAX_FRONT_MATTER_BYTES:
                self.problem(1, f"front matter is longer than {MAX_FRONT_MATTER_BYTES:,} bytes")
                return None
            nxt = text.find("\n", pos)
            line = text[pos : nxt if nxt >= 0 else len(text)]
            if line.rstrip() in ("---", "..."):
                if not self.read_yaml(text[end + 1 : pos], 2):
                    return None
                return "\n" * (index + 1) + ("" if nxt < 0 else text[nxt + 1 :])
            if nxt < 0:
                break
            pos, index = nxt + 1, index + 1
        self.problem(1, "front matter is not closed: end it with a '---' line")
        return None

    def read_yaml(self, src: str, first: int) -> bool:
        """Set the file defaults from front matter starting on line `first`; False if bad."""
        import yaml  # only a note with front matter pays for PyYAML

        try:
            depth = 0
            for ev in yaml.parse(src, Loader=yaml.BaseLoader):
                line = first + (ev.start_mark.line if ev.start_mark else 0)
                if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
                    self.problem(line, "front matter may not use YAML anchors (&) or aliases (*)")
                    return False
                if getattr(ev, "tag", None) is not None or getattr(ev, "tags", None):
                    self.problem(line, "front matter may not use YAML tags (!)")
                    return False
                if isinstance(ev, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_FRONT_MATTER_DEPTH:
                        self.problem(line, "front matter is nested too deeply")
                        return False
                elif isinstance(ev, yaml.CollectionEndEvent):
                    depth -= 1
            root = yaml.compose(src, Loader=yaml.BaseLoader)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            what = getattr(e, "problem", None) or str(e)
            self.problem(first + (mark.line if mark else 0), f"bad front matter: {_collapse(what)}")
            return False
        if root is None:
            return True
        if not isinstance(root, yaml.MappingNode):
            self.problem(first, "front matter must be 'key: value' lines (pathway, tags, source)")
            return False
        ok, seen = True, set()
        for knode, vnode in root.value:
            line = first + vnode.start_mark.line
            key = knode.value.strip().lower() if isinstance(knode, yaml.ScalarNode) else None
            if key not in ("pathway", "tags", "tag", "source", "inline-sep", "multiline-sep"):
                continue  # title, date, aliases… of Obsidian or Jekyll notes
            if key in seen:
                self.problem(line, f"'{key}' is given twice in front matter")
                ok = False
            seen.add(key)
            if key == "tags" or key == "tag":
                ok = self.read_tags(vnode, line) and ok
            elif not isinstance(vnode, yaml.ScalarNode):
                self.problem(line, f"front matter '{key}' must be a single value")
                ok = False
            elif key == "source":
                self.fm_source = _collapse(vnode.value) or None
            elif key in ("inline-sep", "multiline-sep"):
                value = vnode.value.strip()
                if not 1 <= len(value) <= 8 or any(c.isspace() or c.isalnum() for c in value):
                    self.problem(line, f"'{key}' must be 1 to 8 punctuation characters")
                    ok = False
                else:
                    self.fm_seps[key] = value
            elif vnode.value.strip():
                self.fm_pathway = pathway_named(vnode.value)
                if self.fm_pathway is None:
                    self.problem(
                        line,
                        f"unknown pathway {_quote(vnode.value)} in front matter: "
                        f"use one of {_PATHWAY_LIST}",
                    )
                    ok = False
        return ok

    def read_tags(self, node: yaml.Node, line: int) -> bool:
        import yaml

        if isinstance(node, yaml.ScalarNode):
            raw: list[str] = node.value.split(",")
        elif isinstance(node, yaml.SequenceNode) and all(
            isinstance(n, yaml.ScalarNode) for n in node.value
        ):
            raw = [n.value for n in node.value]
        else:
            self.problem(line, "front matter 'tags' must be a list or a comma-separated string")
            return False
        self.fm_tags = [t for t in map(_norm_tag, raw) if t]
        return True
