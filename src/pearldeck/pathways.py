"""The five clinical pathways, in the order every listing shows them, and their names."""

PATHWAYS: tuple[str, ...] = ("acute", "chronic", "preventive", "diagnostic", "systems-based")

PATHWAY_TITLES: dict[str, str] = {
    "acute": "Acute care",
    "chronic": "Chronic disease management",
    "preventive": "Preventive care",
    "diagnostic": "Diagnostic reasoning",
    "systems-based": "Systems-based practice",
}


def _name_key(name: str) -> str:
    import re  # not at import: the sealed `pearls due` loads this module and nothing more

    words = re.sub(r"[\W_]+", " ", name.lower().replace("&", " and ")).split()
    if words and words[0].isdigit():  # "1. Acute care"
        words = words[1:]
    if words and words[-1] in ("pearl", "pearls"):
        words = words[:-1]
    return " ".join(words)


_NAMES: dict[str, str] = {}


def _pathway_names() -> dict[str, str]:
    """Every name a pathway answers to, built on first use."""
    if _NAMES:
        return _NAMES
    _NAMES.update(
        {
            **{_name_key(p): p for p in PATHWAYS},
            **{_name_key(title): p for p, title in PATHWAY_TITLES.items()},
            **{
                _name_key(alias): p
                for p, aliases in {
                    "chronic": ("chronic disease", "chronic diseases", "chronic care"),
                    "preventive": ("preventative", "preventative care"),
                    "systems-based": (
                        "system based",
                        "system based practice",
                        "ethics",
                        "patient safety",
                        "ethics and patient safety",
                        "ethics patient safety",
                        "patient safety and ethics",
                    ),
                }.items()
                for alias in aliases
            },
        }
    )
    return _NAMES


def pathway_named(name: str) -> str | None:
    """The pathway a name means, in any case: `acute`, `Acute care`, `Ethics` (as import
    headings, front matter and every `-p` accept them); None for anything else."""
    return _pathway_names().get(_name_key(name))
