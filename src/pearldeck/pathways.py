"""The five clinical pathways, in the order every listing shows them."""

PATHWAYS: tuple[str, ...] = ("acute", "chronic", "preventive", "diagnostic", "systems-based")

PATHWAY_TITLES: dict[str, str] = {
    "acute": "Acute care",
    "chronic": "Chronic disease management",
    "preventive": "Preventive care",
    "diagnostic": "Diagnostic reasoning",
    "systems-based": "Systems-based practice",
}
